//! `/health`: every connection by its newest check — the counts, the failing reasons and the
//! whole attention list, most urgent first; `connection` is one connection's page.

mod connection;

pub use connection::ConnectionHealthPage;

use crate::api::health::get_health_summary;
use crate::components::feedback::LoadError;
use crate::components::health::{AttentionList, HealthCounts};
use crate::components::page_resource::page_resource;
use crate::components::settled::IntoSyncAny;
use crate::model::{AlertView, HealthSummary, alert_label, reason_label};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HealthPage() -> impl IntoView {
    let summary = page_resource(|| (), |_| get_health_summary());
    view! {
        <Title text="Health" />
        <h1>"Health"</h1>
        <p class="lead">"Every connection by its newest check, the most urgent first."</p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                summary
                    .get()
                    .map(|result| match result {
                        Ok(summary) => view! { <HealthBody summary /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

/// The newest alerts: one per change of state of a connection.
#[component]
fn RecentAlerts(alerts: Vec<AlertView>) -> impl IntoView {
    if alerts.is_empty() {
        return view! {
            <p>
                "No alerts yet: a connection raises one when it starts failing, recovers, or its host key or storage changes."
            </p>
        }
            .into_any();
    }
    view! {
        <ul class="attention">
            {alerts
                .into_iter()
                .map(|alert| {
                    let badge = if alert.kind == "recovered" { "badge badge-ok" } else { "badge badge-error" };
                    view! {
                        <li>
                            <span class=badge>{alert_label(&alert.kind)}</span>
                            " "
                            <a href=format!("/settings/connections/{}", alert.connection_id)>{alert.message}</a>
                            " "
                            <time class="hint" datetime=alert.created_at.clone()>
                                {format!("· {}", alert.created_at)}
                            </time>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn HealthBody(summary: HealthSummary) -> impl IntoView {
    let reasons = summary.reasons.clone();
    let attention = summary.attention.clone();
    let recent_alerts = summary.recent_alerts.clone();
    view! {
        <section class="card" aria-labelledby="fleet">
            <h2 id="fleet">{format!("{} connection(s)", summary.total)}</h2>
            <HealthCounts summary />
            {(!reasons.is_empty())
                .then(|| {
                    view! {
                        <table>
                            <caption>"Failing connections by reason"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Reason"</th>
                                    <th scope="col">"Connections"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {reasons
                                    .into_iter()
                                    .map(|(reason, count)| {
                                        view! {
                                            <tr>
                                                <td>{reason_label(&reason)} " " <code>{reason.clone()}</code></td>
                                                <td>{count.to_string()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
        </section>
        <section class="card" aria-labelledby="attention">
            <h2 id="attention">"Needs attention"</h2>
            <AttentionList attention limit=50 />
        </section>
        <section class="card" aria-labelledby="alerts">
            <h2 id="alerts">"Recent alerts"</h2>
            <RecentAlerts alerts=recent_alerts />
        </section>
    }
}
