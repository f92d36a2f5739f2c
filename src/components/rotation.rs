//! Pieces of the rotation pages: the words for states and the table of connections.

use crate::api::rotation::{
    DeployRotationConnection, RetireRotation, RetryRotation, RollBackRotation, SkipRotationConnection,
};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::model::{RotationHostView, RotationView, host_state, rotation_state};
use leptos::prelude::*;

/// The actions of a rotation's page (their results show in one place on the page).
#[derive(Clone, Copy)]
pub struct RotationActions {
    pub retry: FormAction<RetryRotation>,
    pub roll_back: FormAction<RollBackRotation>,
    pub retire: FormAction<RetireRotation>,
    pub skip: FormAction<SkipRotationConnection>,
    pub deploy: FormAction<DeployRotationConnection>,
}

/// A rotation's or a connection's state in words (every state of both has its own).
pub fn state_label(state: &str) -> &'static str {
    match state {
        rotation_state::RUNNING => "Running",
        rotation_state::ATTENTION => "Needs attention",
        rotation_state::FINISHED => "Finished",
        rotation_state::DRY_RUN => "Dry run done",
        rotation_state::ROLLING_BACK => "Rolling back",
        // The same word for the job and for each of its connections.
        rotation_state::ROLLED_BACK => "Rolled back to the old key",
        host_state::PENDING => "Waiting",
        host_state::STAGED => "New key added",
        host_state::VERIFIED => "New key works",
        host_state::SWITCHED => "Switched to the new key",
        host_state::CLEANED => "Done: old key removed",
        host_state::FAILED => "Failed",
        host_state::SKIPPED => "Skipped",
        host_state::CHECKED => "Checked",
        _ => "Unknown",
    }
}

/// "3 of 5 done, 1 failed" (or the dry run's "5 checked").
pub fn counts_text(view: &RotationView) -> String {
    let c = &view.counts;
    if view.dry_run {
        return format!("{} of {} checked, {} cannot be edited", c.checked, c.total, c.failed);
    }
    let mut text = format!("{} of {} done", c.cleaned, c.total);
    for (n, what) in [(c.in_progress, "in progress"), (c.failed, "failed"), (c.skipped, "skipped")] {
        if n > 0 {
            text.push_str(&format!(", {n} {what}"));
        }
    }
    text
}

/// Every connection of rotation `id`; with `controls` (an admin, a rotation that needs attention) a
/// failed or waiting one can be skipped or given the new key with a one-time password.
#[component]
pub fn HostsTable(id: i32, hosts: Vec<RotationHostView>, controls: Option<RotationActions>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Connections of the rotation (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Connections"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Connection"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"What happened"</th>
                    </tr>
                </thead>
                <tbody>
                    {hosts
                        .into_iter()
                        .map(|h| {
                            let href = format!("/settings/connections/{}", h.connection_id);
                            let failed_at = (h.state == host_state::FAILED)
                                .then(|| format!(" (after: {})", state_label(&h.reached)));
                            view! {
                                <tr>
                                    <td>
                                        <a href=href>{h.connection.clone()}</a>
                                    </td>
                                    <td>{state_label(&h.state)} {failed_at}</td>
                                    <td>
                                        {h
                                            .needs_manual_step
                                            .then(|| view! { <strong>"Needs a password or a manual step. "</strong> })}
                                        {h.detail.clone().unwrap_or_default()}
                                        {h.manual_steps.clone().map(|steps| view! { <p class="hint mono">{steps}</p> })}
                                        {controls
                                            .filter(|_| h.state == host_state::FAILED || h.state == host_state::PENDING)
                                            .map(|actions| {
                                                view! { <HostControls id connection_id=h.connection_id actions /> }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Skip, or deploy the new key with a one-time password, for one connection.
#[component]
fn HostControls(id: i32, connection_id: i32, actions: RotationActions) -> impl IntoView {
    let field = format!("password-{connection_id}");
    let label_for = field.clone();
    view! {
        <div class="row-actions">
            <details class="inline-details">
                <summary class="btn btn-small">"Deploy with a password"</summary>
                <PostForm action=actions.deploy attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="connection_id" value=connection_id.to_string() />
                    <label for=label_for>"One-time password"</label>
                    <input id=field name="password" type="password" required autocomplete="off" />
                    <button class="btn btn-small" type="submit">
                        "Deploy the new key"
                    </button>
                </PostForm>
            </details>
            <PostForm action=actions.skip attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="connection_id" value=connection_id.to_string() />
                <button class="btn btn-small" type="submit">
                    "Skip"
                </button>
            </PostForm>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_of_a_rotation_and_of_its_connections_has_words() {
        use host_state as h;
        use rotation_state as r;
        let states = [
            h::PENDING,
            h::STAGED,
            h::VERIFIED,
            h::SWITCHED,
            h::CLEANED,
            h::FAILED,
            h::SKIPPED,
            h::CHECKED,
            h::ROLLED_BACK,
            r::RUNNING,
            r::ATTENTION,
            r::FINISHED,
            r::DRY_RUN,
            r::ROLLING_BACK,
            r::ROLLED_BACK,
        ];
        for state in states {
            assert_ne!(state_label(state), "Unknown", "{state} has no words");
        }
        assert_eq!(state_label("no such state"), "Unknown");
    }
}
