//! Rename and delete for one SSH key. Delete names the connections that will lose access and,
//! when there are any, needs a ticked confirmation (checked again on the server).

use crate::api::keys::{DeleteSshKey, RenameSshKey};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::components::when::When;
use crate::model::KeyUser;
use leptos::prelude::*;

/// `2026-11-23T04:09:29Z` → `2026-11-23 04:09 UTC`: enough to tell keys apart, short enough for a table.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

#[component]
pub fn KeyActions(
    id: i32,
    name: String,
    users: Vec<KeyUser>,
    delete: FormAction<DeleteSshKey>,
    rename: FormAction<RenameSshKey>,
) -> impl IntoView {
    let warning = if users.is_empty() {
        format!("Delete {name}? This cannot be undone.")
    } else {
        let list = users.iter().map(|u| u.target.clone()).collect::<Vec<_>>().join(", ");
        format!("Delete {name}? These connections lose access until a new key is deployed: {list}.")
    };
    let needs_confirm = !users.is_empty();
    let delete_label = format!("Delete {name}");
    view! {
        <div class="row-actions">
            <details class="inline-details">
                <summary class="btn btn-small">"Rename"</summary>
                <PostForm action=rename attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <label class="visually-hidden" for=format!("rename-{id}")>
                        "New name"
                    </label>
                    <input id=format!("rename-{id}") name="name" required maxlength="64" value=name />
                    <button class="btn btn-small" type="submit">
                        "Save name"
                    </button>
                </PostForm>
            </details>
            <a class="btn btn-small" href=format!("/settings/rotations?key={id}")>
                "Rotate"
            </a>
            <details class="inline-details">
                <summary class="btn btn-small btn-danger">"Delete"</summary>
                <PostForm action=delete attr:class="stack confirm">
                    <input type="hidden" name="id" value=id.to_string() />
                    <p>{warning}</p>
                    <When when=move || needs_confirm>
                        <label class="check">
                            <input type="checkbox" name="confirm" required />
                            " I understand these connections will stop working"
                        </label>
                    </When>
                    <button class="btn btn-small btn-danger" type="submit">
                        {delete_label}
                    </button>
                </PostForm>
            </details>
        </div>
    }
}
