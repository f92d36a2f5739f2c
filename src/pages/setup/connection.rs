//! The wizard's first connection: pick a preset, enter the host → Keyhaven scans it and shows its
//! fingerprints → the user trusts one → deploy with a one-time password (or "already installed")
//! → test → storage. The host fields live in the URL (a GET form), so a failed step keeps them
//! and the flow works without JavaScript; nothing is saved until the key logs in.

use super::actions::GoButton;
use crate::api::connections::list_connections;
use crate::api::hosts::{ReplaceKnownHost, TrustKnownHost, scan_known_host};
use crate::api::setup::SetupConnect;
use crate::components::connections::{ConnectionFields, FormValues, PRESETS};
use crate::components::connections::{StageList, StorageBar};
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::hosts::OfferedKeys;
use crate::components::live_progress::LiveProgress;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::model::ConnectionView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// The form's values: what the URL carries after a scan, else the chosen preset.
fn values_from(query: &ParamsMap) -> FormValues {
    let preset = FormValues::preset(&query.get("preset").unwrap_or_else(|| "linux".into()));
    match query.get("host").filter(|h| !h.trim().is_empty()) {
        None => preset,
        Some(host) => FormValues {
            host: host.trim().to_string(),
            username: query.get("username").unwrap_or_default(),
            port: query.get("port").and_then(|p| p.parse().ok()).unwrap_or(22),
            use_sftp_mode: query.get("use_sftp_mode").is_some(),
            default_path: query.get("default_path").unwrap_or_default(),
            ssh_path_prefix: query.get("ssh_path_prefix").unwrap_or_default(),
            mount_point: String::new(),
        },
    }
}

#[component]
pub fn ConnectionStep() -> impl IntoView {
    let connect = FormAction::<SetupConnect>::new();
    let existing = page_resource(finished_runs!(connect), |_| list_connections());
    view! {
        <h2>"First connection"</h2>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                existing
                    .get()
                    .map(|result| match result {
                        Ok(list) => {
                            match list.into_iter().find(|c| c.status == "connected") {
                                Some(connection) => view! { <Connected connection connect /> }.into_sync_any(),
                                None => view! { <NewConnection connect /> }.into_sync_any(),
                            }
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn Connected(connection: ConnectionView, connect: FormAction<SetupConnect>) -> impl IntoView {
    let title = format!("{}@{}:{}", connection.username, connection.host, connection.port);
    let outcome = move || connect.value().get().and_then(Result::ok);
    view! {
        <div class="notice notice-success" role="status">
            <p>
                <strong>{format!("Connected to {title}.")}</strong>
                {move || outcome().map(|o| format!(" {}", o.message))}
            </p>
            {move || outcome().map(|o| o.notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view())}
            {move || outcome().map(|o| view! { <StageList stages=o.stages /> })}
        </div>
        {match connection.storage {
            Some(storage) => view! { <StorageBar storage /> }.into_sync_any(),
            None => {
                view! { <p class="hint">"Storage could not be measured yet; try Refresh storage on Connections."</p> }
                    .into_sync_any()
            }
        }}
        <div class="wizard-nav">
            <GoButton to="key" label="Back" />
            <GoButton to="done" label="Next" primary=true />
        </div>
    }
}

#[component]
fn NewConnection(connect: FormAction<SetupConnect>) -> impl IntoView {
    let trust = FormAction::<TrustKnownHost>::new();
    let replace = FormAction::<ReplaceKnownHost>::new();
    let query = use_query_map();
    let values = move || values_from(&query.read());
    // "Scan host key" is a plain GET form, so every press loads the page and scans again; a
    // finished deploy attempt rescans too, so a trust withdrawn meanwhile shows as such.
    let runs = finished_runs!(trust, replace, connect);
    let scan = page_resource(
        move || (query.read().get("host"), values().port, runs()),
        |(host, port, _)| async move {
            match host.filter(|h| !h.trim().is_empty()) {
                Some(host) => Some(scan_known_host(host.trim().to_string(), port).await),
                None => None,
            }
        },
    );
    let running = Signal::derive(move || connect.pending().get().then(|| "setup:connection".to_string()));
    // The deploy's error shows outside its form: a refused deploy may leave the host untrusted,
    // and then (after a plain form post's reload) there is no deploy form to show it in.
    let connect_error = action_error(connect);
    view! {
        <p class="lead">"Pick the kind of host, then enter where it is. Keyhaven first shows you the host's key."</p>
        <p class="preset-links">
            "Presets: "
            {PRESETS
                .map(|(id, label, ..)| {
                    view! {
                        <a href=format!("/setup?preset={id}")>{label}</a>
                        " "
                    }
                })
                .collect_view()}
        </p>
        <form method="get" action="/setup" class="stack">
            {move || view! { <ConnectionFields values=values() prefix="setup" /> }}
            <button class="btn btn-primary" type="submit">
                "Scan host key"
            </button>
        </form>
        <Transition fallback=|| {
            view! { <p role="status">"Scanning…"</p> }
        }>
            {move || {
                scan.get()
                    .flatten()
                    .map(|result| match result {
                        Ok(found) => {
                            let trusted = found.result.status == "trusted";
                            view! {
                                <section aria-label="Host key">
                                    <h3>"Host key"</h3>
                                    <p class="hint">
                                        "Compare the fingerprint with the one the host's administrator or provider shows before you trust it."
                                    </p>
                                    <OfferedKeys scan=found admin=true trust replace />
                                </section>
                                {trusted.then(|| view! { <DeployForm connect values=values() /> })}
                            }
                                .into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <FormError error=action_error(trust) />
        <FormError error=connect_error />
        <LiveProgress watching=running />
        <div class="wizard-nav">
            <GoButton to="key" label="Back" />
            <GoButton to="done" label="Skip this step" />
        </div>
    }
}

/// Deploy (or check) the system key on the trusted host; the password is used once, never stored.
#[component]
fn DeployForm(connect: FormAction<SetupConnect>, values: FormValues) -> impl IntoView {
    let sftp = values.use_sftp_mode.then_some("on");
    view! {
        <PostForm action=connect attr:class="stack">
            <input type="hidden" name="host" value=values.host />
            <input type="hidden" name="port" value=values.port.to_string() />
            <input type="hidden" name="username" value=values.username />
            <input type="hidden" name="default_path" value=values.default_path />
            <input type="hidden" name="ssh_path_prefix" value=values.ssh_path_prefix />
            {sftp.map(|on| view! { <input type="hidden" name="use_sftp_mode" value=on /> })}
            <label for="setup-deploy-password">"Password for the host (used once, never stored)"</label>
            <input
                id="setup-deploy-password"
                name="password"
                type="password"
                autocomplete="off"
                aria-describedby="setup-deploy-hint"
            />
            <p class="hint" id="setup-deploy-hint">
                "Leave it empty if the system key is already installed on the host."
            </p>
            <button class="btn btn-primary" type="submit" disabled=move || connect.pending().get()>
                "Deploy the key and connect"
            </button>
        </PostForm>
    }
}
