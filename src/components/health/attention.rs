//! The attention list and the counts above it, shared by the Dashboard (the first few) and the
//! Health page (all of them).

use crate::model::{AttentionItem, HealthSummary, reason_label};
use leptos::prelude::*;

/// The badge class of a reason: a changed host key and a full disk are errors, the rest warnings.
fn badge_class(reason: &str) -> &'static str {
    match reason {
        "nearly_full" | "timeout" | "refused" | "unreachable" | "dns" => "badge badge-warn",
        _ => "badge badge-error",
    }
}

/// Healthy, failing, unchecked and nearly full as badges; checks off and the interval in words.
#[component]
pub fn HealthCounts(summary: HealthSummary) -> impl IntoView {
    let schedule = match summary.interval_secs {
        0 => "Scheduled checks are off (check_interval_secs = 0).".to_string(),
        secs if secs % 60 == 0 => format!("Checked every {} min.", secs / 60),
        secs => format!("Checked every {secs} s."),
    };
    let off = (summary.checks_off > 0).then(|| format!(" {} connection(s) with checks off.", summary.checks_off));
    view! {
        <p class="health-counts">
            <span class="badge badge-ok">{format!("{} healthy", summary.healthy)}</span>
            " "
            <span class="badge badge-error">{format!("{} failing", summary.failing)}</span>
            " "
            <span class="badge badge-warn">{format!("{} nearly full", summary.nearly_full)}</span>
            " "
            <span class="badge badge-muted">{format!("{} not checked yet", summary.unchecked)}</span>
        </p>
        <p class="hint">{schedule} {off}</p>
    }
}

#[component]
fn AttentionRow(item: AttentionItem) -> impl IntoView {
    let href = format!("/settings/connections/{}", item.connection_id);
    let what = match item.storage_percent {
        Some(percent) if item.reason == "nearly_full" => format!("{percent}% used"),
        _ => item.message.clone().unwrap_or_default(),
    };
    view! {
        <li>
            <span class=badge_class(&item.reason)>{reason_label(&item.reason)}</span>
            " "
            <a href=href>{item.connection}</a>
            " "
            <span class="hint">{what}</span>
            " "
            <time class="hint" datetime=item.checked_at.clone()>
                {format!("· checked {}", item.checked_at)}
            </time>
        </li>
    }
}

/// Up to `limit` connections that need attention; "all healthy" when none do.
#[component]
pub fn AttentionList(attention: Vec<AttentionItem>, limit: usize) -> impl IntoView {
    if attention.is_empty() {
        return view! { <p>"Nothing needs attention: every checked connection is healthy."</p> }.into_any();
    }
    let more = attention.len().saturating_sub(limit);
    view! {
        <ul class="attention">
            {attention.into_iter().take(limit).map(|item| view! { <AttentionRow item /> }).collect_view()}
        </ul>
        {(more > 0)
            .then(|| {
                view! {
                    <p>
                        <a href="/health">{format!("{more} more on the Health page")}</a>
                    </p>
                }
            })}
    }
    .into_any()
}
