//! The system key as a card: type, fingerprints, randomart, the public key to copy or download,
//! its users, and (for admins) rename and delete.

use crate::api::keys::{DeleteSshKey, RenameSshKey, SetKeyRotationPeriod};
use crate::components::copy_button::CopyButton;
use crate::components::form_action::FormAction;
use crate::components::keys::{KeyActions, RotationSetting, short_time};
use crate::components::layout::AdminFlag;
use crate::components::when::When;
use crate::model::SshKeyDetail;
use leptos::prelude::*;

#[component]
pub fn KeyCard(
    detail: SshKeyDetail,
    admin: AdminFlag,
    delete: FormAction<DeleteSshKey>,
    rename: FormAction<RenameSshKey>,
    period: FormAction<SetKeyRotationPeriod>,
) -> impl IntoView {
    let key = detail.key.clone();
    let id = key.id;
    let (heading_id, labelled_by) = (format!("key-{id}-name"), format!("key-{id}-name"));
    let title = if key.is_system_key { format!("{} (system key)", key.name) } else { key.name.clone() };
    let usage = format!("Used by {} connection(s), {} connected", key.connection_count, key.active_connections);
    let (name, users) = (key.name.clone(), detail.used_by.clone());
    let rotation = RotationSetting::from(&key);
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
                <dt>"Comment"</dt>
                <dd>{key.comment.clone()}</dd>
                <dt>"Created"</dt>
                <dd>{short_time(&key.created_at)}</dd>
                <dt>"Last used"</dt>
                <dd>{key.last_used_at.as_deref().map(short_time).unwrap_or_else(|| "never".into())}</dd>
                <dt>"Usage"</dt>
                <dd>{usage}</dd>
            </dl>
            <div class="key-body">
                <pre class="randomart" aria-label="Randomart of the key">
                    {detail.randomart.clone()}
                </pre>
                <PublicKeyBox id public_key=key.public_key.clone() />
            </div>
            <When when=move || admin.get()>
                <KeyActions id name=name.clone() users=users.clone() delete rename period rotation=rotation.clone() />
            </When>
        </section>
    }
}

/// The `.pub` line in a read-only box, with copy and download buttons.
#[component]
pub fn PublicKeyBox(id: i32, public_key: String) -> impl IntoView {
    view! {
        <div class="stack">
            <label for=format!("pub-{id}")>"Public key"</label>
            <textarea id=format!("pub-{id}") class="mono" readonly rows="3">
                {public_key.clone()}
            </textarea>
            <div class="row-actions">
                <CopyButton text=public_key label="Copy public key" />
                <a class="btn btn-small" href=format!("/api/ssh-keys/{id}/public-key") download>
                    "Download .pub"
                </a>
            </div>
        </div>
    }
}
