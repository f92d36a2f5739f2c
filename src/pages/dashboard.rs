//! `/`: the signed-in start page.

use crate::api::connections::list_connections;
use crate::api::setup::get_setup_status;
use crate::components::connection_card::StorageBar;
use crate::components::feedback::LoadError;
use crate::components::layout::MeResource;
use crate::model::{ConnectionView, StorageView};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let name = move || me.get().and_then(Result::ok).flatten().map(|m| m.username).unwrap_or_default();
    let connections = Resource::new(|| (), |_| list_connections());
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
                        Ok(rows) => view! { <ConnectionHealth rows /> }.into_any(),
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

/// Connected, failed and untested connections at a glance, with each measured storage bar.
#[component]
fn ConnectionHealth(rows: Vec<ConnectionView>) -> impl IntoView {
    let count = |status: &str| rows.iter().filter(|c| c.status == status).count();
    let (connected, failed) = (count("connected"), count("failed"));
    let untested = rows.len() - connected - failed;
    let measured: Vec<(String, StorageView)> = rows
        .iter()
        .filter_map(|c| c.storage.clone().map(|s| (format!("{}@{}:{}", c.username, c.host, c.port), s)))
        .collect();
    view! {
        <section class="card" aria-labelledby="health">
            <h2 id="health">"Connections"</h2>
            {if rows.is_empty() {
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
                        <span class="badge badge-ok">{format!("{connected} connected")}</span>
                        " "
                        <span class="badge badge-error">{format!("{failed} failed")}</span>
                        " "
                        <span class="badge badge-muted">{format!("{untested} untested")}</span>
                        " "
                        <a href="/settings/connections">"Open connections"</a>
                    </p>
                }
                    .into_any()
            }}
            {measured
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
