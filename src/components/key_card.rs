//! One SSH key: type, fingerprints, randomart, the public key to copy or download, its users, and
//! (for admins) rename and delete with a confirmation that names what will lose access.

use crate::api::ssh_keys::{DeleteSshKey, RenameSshKey};
use crate::components::copy_button::CopyButton;
use crate::model::SshKeyDetail;
use leptos::prelude::*;

#[component]
pub fn KeyCard(
    detail: SshKeyDetail,
    admin: Signal<bool>,
    delete: ServerAction<DeleteSshKey>,
    rename: ServerAction<RenameSshKey>,
) -> impl IntoView {
    let key = detail.key.clone();
    let id = key.id;
    let (heading_id, labelled_by) = (format!("key-{id}-name"), format!("key-{id}-name"));
    let title = if key.is_system_key { format!("{} (system key)", key.name) } else { key.name.clone() };
    let usage = format!("Used by {} connection(s), {} connected", key.connection_count, key.active_connections);
    let users = detail.used_by.clone();
    let name = key.name.clone();
    let admin_actions = move || {
        let users = users.clone();
        let name = name.clone();
        let rename_value = name.clone();
        let delete_label = format!("Delete {name}");
        let warning = if users.is_empty() {
            format!("Delete {name}? This cannot be undone.")
        } else {
            let list = users.iter().map(|u| u.target.clone()).collect::<Vec<_>>().join(", ");
            format!("Delete {name}? These connections lose access until a new key is deployed: {list}.")
        };
        let needs_confirm = !users.is_empty();
        view! {
            <div class="row-actions">
                <details class="inline-details">
                    <summary class="btn btn-small">"Rename"</summary>
                    <ActionForm action=rename attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <label class="visually-hidden" for=format!("rename-{id}")>
                            "New name"
                        </label>
                        <input id=format!("rename-{id}") name="name" required maxlength="64" value=rename_value />
                        <button class="btn btn-small" type="submit">
                            "Save name"
                        </button>
                    </ActionForm>
                </details>
                <details class="inline-details">
                    <summary class="btn btn-small btn-danger">"Delete"</summary>
                    <ActionForm action=delete attr:class="stack confirm">
                        <input type="hidden" name="id" value=id.to_string() />
                        <p>{warning}</p>
                        <Show when=move || needs_confirm>
                            <label class="check">
                                <input type="checkbox" name="confirm" required />
                                " I understand these connections will stop working"
                            </label>
                        </Show>
                        <button class="btn btn-small btn-danger" type="submit">
                            {delete_label}
                        </button>
                    </ActionForm>
                </details>
            </div>
        }
    };
    view! {
        <section class="card key-card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{title}</h2>
            <dl class="facts">
                <dt>"Type"</dt>
                <dd>{format!("{} {}", key.key_type, key.bits)}</dd>
                <dt>"Fingerprint"</dt>
                <dd class="mono">{key.fingerprint.clone()}</dd>
                <dt>"MD5"</dt>
                <dd class="mono">{detail.fingerprint_md5.clone()}</dd>
                <dt>"Created"</dt>
                <dd>{key.created_at.clone()}</dd>
                <dt>"Last used"</dt>
                <dd>{key.last_used_at.clone().unwrap_or_else(|| "never".into())}</dd>
                <dt>"Usage"</dt>
                <dd>{usage}</dd>
            </dl>
            <div class="key-body">
                <pre class="randomart" aria-label="Randomart of the key">
                    {detail.randomart.clone()}
                </pre>
                <div class="stack">
                    <label for=format!("pub-{id}")>"Public key"</label>
                    <textarea id=format!("pub-{id}") class="mono" readonly rows="3">
                        {key.public_key.clone()}
                    </textarea>
                    <div class="row-actions">
                        <CopyButton text=key.public_key.clone() label="Copy public key" />
                        <a class="btn btn-small" href=format!("/api/ssh-keys/{id}/public-key") download>
                            "Download .pub"
                        </a>
                    </div>
                </div>
            </div>
            <Show when=move || admin.get()>{admin_actions.clone()}</Show>
        </section>
    }
}
