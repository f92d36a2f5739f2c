//! Pieces of the rotation pages: the words for states and the table of connections.

use crate::model::{RotationHostView, RotationView, host_state, rotation_state};
use leptos::prelude::*;

pub fn state_label(state: &str) -> &'static str {
    match state {
        rotation_state::RUNNING => "Running",
        rotation_state::ATTENTION => "Needs attention",
        rotation_state::FINISHED => "Finished",
        rotation_state::DRY_RUN => "Dry run done",
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

#[component]
pub fn HostsTable(hosts: Vec<RotationHostView>) -> impl IntoView {
    view! {
        <table class="table">
            <caption>"Connections"</caption>
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
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
