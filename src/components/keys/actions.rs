//! Rename and delete for one SSH key. Delete names the connections that will lose access and,
//! when there are any, needs a ticked confirmation (checked again on the server).

use crate::api::keys::{DeleteSshKey, RenameSshKey, SetKeyRotationPeriod};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::components::when::When;
use crate::model::{KeyUser, SshKeyView};
use leptos::prelude::*;

/// `2026-11-23T04:09:29Z` → `2026-11-23 04:09 UTC`: enough to tell keys apart, short enough for a table.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

/// A key's rotation period as its form shows it.
#[derive(Clone, Debug, Default)]
pub struct RotationSetting {
    pub days: Option<i32>,
    pub auto: bool,
    pub due_in_days: Option<i64>,
}

impl From<&SshKeyView> for RotationSetting {
    fn from(key: &SshKeyView) -> Self {
        RotationSetting { days: key.rotation_period_days, auto: key.auto_rotate, due_in_days: key.rotation_due_in_days }
    }
}

impl RotationSetting {
    /// "Rotation due in 9 days", "Rotation overdue by 3 days", or "No rotation period".
    pub fn summary(&self) -> String {
        match self.due_in_days {
            None => "No rotation period".into(),
            Some(d) if d < 0 => format!("Rotation overdue by {} day(s)", -d),
            Some(0) => "Rotation due today".into(),
            Some(d) => format!("Rotation due in {d} day(s)"),
        }
    }
}

#[component]
pub fn KeyActions(
    id: i32,
    name: String,
    users: Vec<KeyUser>,
    delete: FormAction<DeleteSshKey>,
    rename: FormAction<RenameSshKey>,
    period: FormAction<SetKeyRotationPeriod>,
    rotation: RotationSetting,
) -> impl IntoView {
    let days_id = format!("period-{id}");
    let days_for = days_id.clone();
    let auto_id = format!("auto-{id}");
    let auto_for = auto_id.clone();
    let days_value = rotation.days.map(|d| d.to_string()).unwrap_or_default();
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
                <summary class="btn btn-small">{rotation.summary()}</summary>
                <PostForm action=period attr:class="stack">
                    <input type="hidden" name="id" value=id.to_string() />
                    <label for=days_for>"Rotation period in days (empty: none)"</label>
                    <input id=days_id name="days" type="number" min="1" max="3650" value=days_value />
                    <label class="check" for=auto_for>
                        <input id=auto_id type="checkbox" name="auto_rotate" checked=rotation.auto />
                        " Rotate automatically when due"
                    </label>
                    <button class="btn btn-small" type="submit">
                        "Save rotation period"
                    </button>
                </PostForm>
            </details>
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
