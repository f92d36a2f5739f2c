//! Named keys as a table: one row each, so twenty keys still fit on a screen. The public key and
//! the admin actions sit in the last column.

use crate::api::keys::{DeleteSshKey, RenameSshKey, SetKeyRotationPeriod};
use crate::components::form_action::FormAction;
use crate::components::keys::PublicKeyBox;
use crate::components::keys::{KeyActions, RotationSetting, short_time};
use crate::components::layout::AdminFlag;
use crate::components::settled::Settled;
use crate::components::when::When;
use crate::model::SshKeyDetail;
use leptos::prelude::*;

#[component]
pub fn KeyTable(
    keys: Vec<SshKeyDetail>,
    admin: AdminFlag,
    delete: FormAction<DeleteSshKey>,
    rename: FormAction<RenameSshKey>,
    period: FormAction<SetKeyRotationPeriod>,
) -> impl IntoView {
    let rows =
        keys.into_iter().map(|detail| Settled(view! { <KeyRow detail admin delete rename period /> })).collect_view();
    view! {
        <section aria-labelledby="named-keys-heading">
            <h2 id="named-keys-heading">"Named keys"</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="SSH keys (scrolls sideways)">
                <table class="key-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Fingerprint"</th>
                            <th scope="col">"Comment"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col">"Used by"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn KeyRow(
    detail: SshKeyDetail,
    admin: AdminFlag,
    delete: FormAction<DeleteSshKey>,
    rename: FormAction<RenameSshKey>,
    period: FormAction<SetKeyRotationPeriod>,
) -> impl IntoView {
    let key = detail.key;
    let id = key.id;
    let used_by = match key.connection_count {
        0 => "none".to_string(),
        n => format!("{n} ({} connected)", key.active_connections),
    };
    let users_title = detail.used_by.iter().map(|u| u.target.clone()).collect::<Vec<_>>().join(", ");
    let (name, users) = (key.name.clone(), detail.used_by);
    let rotation = RotationSetting::from(&key);
    view! {
        <tr id=format!("key-{id}")>
            <th scope="row">{key.name.clone()}</th>
            <td>{format!("{} {}", key.key_type, key.bits)}</td>
            <td class="mono">{key.fingerprint.clone()}</td>
            <td>{key.comment.clone()}</td>
            <td>{short_time(&key.created_at)}</td>
            <td>{key.last_used_at.as_deref().map(short_time).unwrap_or_else(|| "never".into())}</td>
            <td title=users_title>{used_by}</td>
            <td>
                <details class="inline-details">
                    <summary class="btn btn-small">"Public key"</summary>
                    <PublicKeyBox id public_key=key.public_key.clone() />
                </details>
                <When when=move || admin.get()>
                    <KeyActions
                        id
                        name=name.clone()
                        users=users.clone()
                        delete
                        rename
                        period
                        rotation=rotation.clone()
                    />
                </When>
            </td>
        </tr>
    }
}
