//! `/`: the signed-in start page.

use crate::api::connections::get_connection_health;
use crate::api::setup::get_setup_status;
use crate::components::connection_card::StorageBar;
use crate::components::feedback::LoadError;
use crate::components::layout::MeResource;
use crate::model::ConnectionHealth;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let name = move || me.get().and_then(Result::ok).flatten().map(|m| m.username).unwrap_or_default();
    let connections = Resource::new(|| (), |_| get_connection_health());
    let setup = Resource::new(|| (), |_| get_setup_status());
    view! {
        <Title text="Dashboard" />
        <h1>"Dashboard"</h1>
        <Transition fallback=|| ()>
            <p class="lead">"Signed in as " <strong>{name}</strong> "."</p>
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                setup
                    .get()
                    .and_then(Result::ok)
                    .filter(|s| s.can_continue && s.step != "done")
                    .map(|_| {
                        view! {
                            <p class="notice">
                                "Setup is not finished. " <a href="/setup">"Continue setup"</a> " where it stopped."
                            </p>
                        }
                    })
            }}
        </Transition>
        <Transition fallback=|| {
            view! { <p>"Loading connections…"</p> }
        }>
            {move || {
                connections
                    .get()
                    .map(|result| match result {
                        Ok(health) => view! { <HealthCard health /> }.into_any(),
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    })
            }}
        </Transition>
        <div class="cards">
            <section class="card">
                <h2>"Users"</h2>
                <p>"Who may sign in, and whether they administer Keyhaven or only look."</p>
                <a href="/settings/users">"Manage users"</a>
            </section>
            <section class="card">
                <h2>"API tokens"</h2>
                <p>"Personal access tokens for scripts and tools, with scopes."</p>
                <a href="/settings/tokens">"Manage API tokens"</a>
            </section>
            <section class="card">
                <h2>"Audit log"</h2>
                <p>"Every sign-in and change, with who, when and from where."</p>
                <a href="/settings/audit">"Open the audit log"</a>
            </section>
        </div>
    }
}

/// Connected, failed and untested connections at a glance, with the fullest storage bars.
#[component]
fn HealthCard(health: ConnectionHealth) -> impl IntoView {
    let untested = health.total.saturating_sub(health.connected + health.failed);
    view! {
        <section class="card" aria-labelledby="health">
            <h2 id="health">"Connections"</h2>
            {if health.total == 0 {
                view! {
                    <p>
                        "No connections yet. Trust a host on " <a href="/settings/known-hosts">"Known hosts"</a>
                        ", then add it on " <a href="/settings/connections">"Connections"</a> "."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        <span class="badge badge-ok">{format!("{} connected", health.connected)}</span>
                        " "
                        <span class="badge badge-error">{format!("{} failed", health.failed)}</span>
                        " "
                        <span class="badge badge-muted">{format!("{untested} untested")}</span>
                        " "
                        <a href="/settings/connections">{format!("Open connections ({})", health.total)}</a>
                    </p>
                }
                    .into_any()
            }}
            {health
                .fullest
                .into_iter()
                .map(|(title, storage)| {
                    view! {
                        <h3 class="hint">{title}</h3>
                        <StorageBar storage />
                    }
                })
                .collect_view()}
        </section>
    }
}
