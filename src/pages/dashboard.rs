//! `/`: the signed-in start page: the system key, connection health and the fullest storage at a
//! glance, and where setup stands when it is not finished.

use crate::api::connections::get_connection_health;
use crate::api::health::get_health_summary;
use crate::api::keys::{get_keys_due, get_system_key};
use crate::api::setup::get_setup_status;
use crate::components::connections::StorageBar;
use crate::components::copy_button::CopyButton;
use crate::components::feedback::LoadError;
use crate::components::health::{AttentionList, HealthCounts};
use crate::components::keys::RotationSetting;
use crate::components::layout::MeResource;
use crate::components::page_resource::page_resource;
use crate::components::settled::IntoSyncAny;
use crate::model::{ConnectionHealth, HealthSummary, SshKeyView};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let name = move || me.get().and_then(Result::ok).flatten().map(|m| m.username).unwrap_or_default();
    let connections = page_resource(|| (), |_| get_connection_health());
    let setup = page_resource(|| (), |_| get_setup_status());
    let system_key = page_resource(|| (), |_| get_system_key());
    let summary = page_resource(|| (), |_| get_health_summary());
    let due = page_resource(|| (), |_| get_keys_due());
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
        <Transition fallback=|| ()>
            {move || {
                system_key
                    .get()
                    .map(|result| match result {
                        Ok(key) => view! { <SystemKeyCard key /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                summary
                    .get()
                    .map(|result| match result {
                        Ok(summary) => view! { <AttentionCard summary /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                due.get()
                    .and_then(Result::ok)
                    .filter(|keys| !keys.is_empty())
                    .map(|keys| view! { <KeysDueCard keys /> }.into_sync_any())
            }}
        </Transition>
        <Transition fallback=|| {
            view! { <p>"Loading connections…"</p> }
        }>
            {move || {
                connections
                    .get()
                    .map(|result| match result {
                        Ok(health) => view! { <HealthCard health /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
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

/// What needs attention first (failing, changed host keys, nearly full), with the counts; shown
/// once there is a connection.
#[component]
fn AttentionCard(summary: HealthSummary) -> impl IntoView {
    (summary.total > 0).then(|| {
        let attention = summary.attention.clone();
        view! {
            <section class="card" aria-labelledby="attention">
                <h2 id="attention">"Needs attention"</h2>
                <HealthCounts summary />
                <AttentionList attention limit=5 />
            </section>
        }
    })
}

/// Keys whose rotation period runs out within 14 days (or ran out), each with a way to rotate it.
#[component]
fn KeysDueCard(keys: Vec<SshKeyView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="keys-due">
            <h2 id="keys-due">"Keys due for rotation"</h2>
            <ul class="attention">
                {keys
                    .into_iter()
                    .map(|key| {
                        let when = RotationSetting::from(&key).summary();
                        let href = format!("/settings/rotations?key={}", key.id);
                        let how = if key.auto_rotate { " (rotates automatically)" } else { "" };
                        view! {
                            <li>
                                <strong>{key.name.clone()}</strong>
                                {format!(": {when}{how} · ")}
                                <a href=href>"Rotate now"</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// The identity every connection logs in with unless it names another key.
#[component]
fn SystemKeyCard(key: Option<SshKeyView>) -> impl IntoView {
    let body = match key {
        None => view! {
            <p>
                "No system key yet: every connection logs in with it unless you choose another key. "
                <a href="/settings/ssh-keys">"Generate or import one"</a> "."
            </p>
        }
        .into_sync_any(),
        Some(key) => {
            let (badge, state) =
                if key.is_active { ("badge badge-ok", "active") } else { ("badge badge-error", "disabled") };
            let used = format!(
                "Used by {} connection(s) · last used {}",
                key.connection_count,
                key.last_used_at.unwrap_or_else(|| "never".into())
            );
            view! {
                <p>
                    <span class=badge>{state}</span>
                    " "
                    {format!("{} · {} {}", key.name, key.key_type, key.bits)}
                </p>
                <p class="mono">{key.fingerprint}</p>
                <p class="hint">{used}</p>
                <p class="row-actions">
                    <CopyButton text=key.public_key label="Copy public key" />
                    <a href="/settings/ssh-keys">"Manage SSH keys"</a>
                </p>
            }
            .into_sync_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="system-key">
            <h2 id="system-key">"System key"</h2>
            {body}
        </section>
    }
}

/// Connected, failed and untested connections at a glance, with the fullest storage bars.
#[component]
fn HealthCard(health: ConnectionHealth) -> impl IntoView {
    let untested = health.total.saturating_sub(health.connected + health.failed);
    let stale = health.files_stale.map(|reason| {
        view! {
            <p class="notice notice-error" role="alert">
                "The files in data/ssh that ssh, borg and rsync read could not be written ("
                {reason}
                "). Your changes are saved; Keyhaven keeps retrying and catches up once the directory is writable."
            </p>
        }
    });
    view! {
        <section class="card" aria-labelledby="health">
            <h2 id="health">"Connections"</h2>
            {stale}
            {if health.total == 0 {
                view! {
                    <p>
                        "No connections yet. Trust a host on " <a href="/settings/known-hosts">"Known hosts"</a>
                        ", then add it on " <a href="/settings/connections">"Connections"</a> "."
                    </p>
                }
                    .into_sync_any()
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
                    .into_sync_any()
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
