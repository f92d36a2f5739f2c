//! `/settings/connections/{id}`: one connection's health — its status strip, storage over time
//! with the forecast, the timeline of checks with their reasons and times, and how often it is
//! checked (admins change it here).

use crate::api::health::{SetCheckInterval, get_connection_timeline};
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::health::{StatusStrip, StorageChart};
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::{CheckView, ConnectionTimeline, ScheduleView, reason_label};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The choices of the interval form: (value, label); empty follows the global interval.
const INTERVALS: [(&str, &str); 7] = [
    ("", "Like every connection (global setting)"),
    ("300", "Every 5 minutes"),
    ("900", "Every 15 minutes"),
    ("3600", "Every hour"),
    ("21600", "Every 6 hours"),
    ("86400", "Every day"),
    ("0", "Off"),
];
/// Bars in the status strip.
const STRIP_CHECKS: usize = 96;
/// Rows in the timeline table.
const TABLE_CHECKS: usize = 50;

#[component]
pub fn ConnectionHealthPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let admin = is_admin(expect_context::<MeResource>());
    let set = FormAction::<SetCheckInterval>::new();
    toast_done(set, "Check interval saved.");
    let runs = finished_runs!(set);
    let timeline = page_resource(move || (id(), runs()), |(id, _)| get_connection_timeline(id));
    view! {
        <Title text="Connection health" />
        <p>
            <a href="/settings/connections">"← Connections"</a>
        </p>
        <FormError error=action_error(set) />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                timeline
                    .get()
                    .map(|result| match result {
                        Ok(timeline) => view! { <TimelineBody timeline admin=admin.get() set /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

fn every(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("every {} day(s)", s / 86_400),
        s if s % 3600 == 0 => format!("every {} hour(s)", s / 3600),
        s if s % 60 == 0 => format!("every {} minutes", s / 60),
        s => format!("every {s} s"),
    }
}

#[component]
fn ScheduleForm(id: i32, schedule: ScheduleView, admin: bool, set: FormAction<SetCheckInterval>) -> impl IntoView {
    let state = match (&schedule.own_interval_secs, schedule.enabled) {
        (_, false) => "Scheduled checks of this connection are off.".to_string(),
        (None, true) => format!("Checked {} (the global setting).", every(schedule.effective_secs)),
        (Some(_), true) => format!("Checked {} (its own setting).", every(schedule.effective_secs)),
    };
    let next = schedule.next_check_at.clone().map(|at| format!(" Next check: {at}."));
    let chosen = schedule.own_interval_secs.map(|s| s.to_string()).unwrap_or_default();
    view! {
        <p>{state} {next}</p>
        {admin
            .then(|| {
                view! {
                    <PostForm action=set attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <label for="interval">"Check"</label>
                        <select id="interval" name="interval_secs">
                            {INTERVALS
                                .into_iter()
                                .map(|(value, label)| {
                                    view! {
                                        <option value=value selected=value == chosen>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <button class="btn btn-small" type="submit">
                            "Save"
                        </button>
                    </PostForm>
                }
            })}
    }
}

#[component]
fn CheckRow(check: CheckView) -> impl IntoView {
    let badge = if check.healthy { "badge badge-ok" } else { "badge badge-error" };
    view! {
        <tr>
            <td>
                <time datetime=check.checked_at.clone()>{check.checked_at.clone()}</time>
            </td>
            <td>{check.trigger}</td>
            <td>
                <span class=badge>{reason_label(&check.reason)}</span>
            </td>
            <td>{check.stage.unwrap_or_default()}</td>
            <td>{check.message.unwrap_or_default()}</td>
            <td>{format!("{} ms", check.duration_ms)}</td>
        </tr>
    }
}

#[component]
fn TimelineBody(timeline: ConnectionTimeline, admin: bool, set: FormAction<SetCheckInterval>) -> impl IntoView {
    let c = timeline.connection;
    let title = format!("{}@{}:{}", c.username, c.host, c.port);
    let strip: Vec<CheckView> = timeline.checks.iter().take(STRIP_CHECKS).cloned().collect();
    let rows: Vec<CheckView> = timeline.checks.iter().take(TABLE_CHECKS).cloned().collect();
    let kept = format!("The newest {} of the {} checks kept.", rows.len(), timeline.checks_total);
    let empty = timeline.checks.is_empty();
    view! {
        <h1>{title}</h1>
        <p>
            <a href=format!("/settings/connections/{}/authorized-keys", c.id)>"Authorized keys on this host →"</a>
        </p>
        <section class="card" aria-labelledby="checks">
            <h2 id="checks">"Checks"</h2>
            <ScheduleForm id=c.id schedule=timeline.schedule admin set />
            {if empty {
                view! { <p class="hint">"Not checked yet."</p> }.into_any()
            } else {
                view! { <StatusStrip checks=strip /> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="storage">
            <h2 id="storage">"Storage"</h2>
            <StorageChart checks=timeline.checks full_in_days=timeline.full_in_days />
        </section>
        <section class="card" aria-labelledby="timeline">
            <h2 id="timeline">"Timeline"</h2>
            <p class="hint">{kept}</p>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">"Checks, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"Trigger"</th>
                            <th scope="col">"Result"</th>
                            <th scope="col">"Stage"</th>
                            <th scope="col">"Message"</th>
                            <th scope="col">"Took"</th>
                        </tr>
                    </thead>
                    <tbody>{rows.into_iter().map(|check| view! { <CheckRow check /> }).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}
