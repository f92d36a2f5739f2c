//! `/settings/connections`: the hosts Keyhaven logs in to, as cards, and a form to add one (with
//! presets for Linux, Hetzner Storage Box, Synology and BorgBase).

use crate::api::connections::{CreateConnection, browse_connection, list_connections_page};
use crate::components::connections::{BrowseActions, BrowsePanel, ConnectionActions, ConnectionCard, StageList};
use crate::components::connections::{ConnectionFields, FormValues, PRESETS};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs, reset_on_success};
use crate::components::form_action::{FormAction, FormBody};
use crate::components::layout::{MeResource, is_admin};
use crate::components::live_progress::LiveProgress;
use crate::components::page_resource::page_resource;
use crate::components::pager::Pager;
use crate::components::post_form::PostForm;
use crate::components::settled::{IntoSyncAny, Settled};
use crate::components::toasts::{toast_done, toast_outcome};
use crate::components::when::When;
use crate::model::ActionOutcome;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The result of the last test or deploy, shown above the cards and announced to screen readers.
#[component]
fn Outcome(#[prop(into)] outcome: Signal<Option<Result<ActionOutcome, crate::error::AppError>>>) -> impl IntoView {
    move || {
        outcome.get().map(|result| match result {
            Ok(o) => {
                let class = if o.success { "notice notice-success" } else { "notice notice-error" };
                view! {
                    <div class=class role="status">
                        <p>{o.message}</p>
                        {o.notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
                        <StageList stages=o.stages />
                    </div>
                }
                .into_sync_any()
            }
            Err(error) => view! { <FormError error=Signal::derive(move || Some(error.clone())) /> }.into_sync_any(),
        })
    }
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let admin = is_admin(me);
    let create = FormAction::<CreateConnection>::new();
    let actions = ConnectionActions {
        test: FormAction::new(),
        refresh: FormAction::new(),
        redeploy: FormAction::new(),
        update: FormAction::new(),
        delete: FormAction::new(),
    };
    toast_done(create, "Connection added.");
    toast_outcome(actions.test);
    toast_outcome(actions.update);
    toast_outcome(actions.redeploy);
    toast_done(actions.refresh, "Storage refreshed.");
    toast_done(actions.delete, "Connection deleted.");
    let browse_actions =
        BrowseActions { create_folder: FormAction::new(), create_path: FormAction::new(), use_path: FormAction::new() };
    toast_done(browse_actions.create_folder, "Folder created.");
    toast_done(browse_actions.create_path, "Folder created.");
    toast_done(browse_actions.use_path, "Backup path saved.");
    let versions = finished_runs!(
        create,
        actions.test,
        actions.refresh,
        actions.redeploy,
        actions.update,
        actions.delete,
        browse_actions.use_path
    );
    let query = use_query_map();
    let page_number = move || query.read().get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let list = page_resource(move || (versions(), page_number()), |(_, page)| list_connections_page(page));
    // `?browse=<id>&path=…`: the Browse panel of one connection (a link, so no JavaScript needed).
    let browsing = move || {
        query.try_with(|q| {
            let id = q.get("browse")?.parse::<i32>().ok()?;
            Some((id, q.get("path").unwrap_or_default()))
        })
    };
    // A created path may be the one already in the address, so a creation reads the folder again.
    let created = finished_runs!(browse_actions.create_path);
    let browse = page_resource(
        move || (created(), browsing().flatten()),
        |(_, wanted)| async move {
            match wanted {
                Some((id, path)) => browse_connection(id, path).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // Only the most recent test, edit or deploy result is shown.
    let latest = RwSignal::new(None);
    for value in [actions.test.value(), actions.update.value(), actions.redeploy.value()] {
        Effect::new(move |_| {
            if let Some(outcome) = value.get() {
                latest.set(Some(outcome));
            }
        });
    }
    // The connection whose test, edit or deploy is running, for its live stages.
    // The signals are taken once: each accessor call makes a new one (see `finished_runs!`).
    let (test, redeploy, update) = (actions.test, actions.redeploy, actions.update);
    let busy = [test.pending(), redeploy.pending(), update.pending()];
    let (test_input, redeploy_input, update_input) = (test.input(), redeploy.input(), update.input());
    let running = Signal::derive(move || {
        let ids = [test_input, redeploy_input, update_input]
            .map(|input| input.with(|body| body.as_ref().and_then(FormBody::id)));
        let id = busy.iter().zip(ids).find_map(|(pending, id)| pending.get().then_some(id).flatten());
        id.map(|id| format!("connection:{id}"))
    });
    // `try_with`: both are read late in a server render, when the page may be gone (see `AdminFlag`).
    let preset = move || query.try_with(|q| q.get("preset")).flatten().unwrap_or_else(|| "linux".into());
    let editing_id = move || query.try_with(|q| q.get("edit")).flatten().and_then(|id| id.parse::<i32>().ok());
    view! {
        <Title text="Connections" />
        <h1>"Connections"</h1>
        <p class="lead">
            "Hosts Keyhaven logs in to with its keys. A host's key must be trusted on Known hosts first."
        </p>
        <div aria-live="polite">
            <Outcome outcome=latest />
            <FormError error=action_error(actions.refresh) />
            <FormError error=action_error(actions.delete) />
        </div>
        <LiveProgress watching=running />
        <Transition fallback=|| {
            view! { <p>"Reading the folder…"</p> }
        }>
            <div aria-live="polite">
                <FormError error=action_error(browse_actions.create_folder) />
                <FormError error=action_error(browse_actions.create_path) />
                <FormError error=action_error(browse_actions.use_path) />
            </div>
            {move || {
                browse
                    .get()
                    .map(|result| match result {
                        Ok(Some(listing)) => view! { <BrowsePanel listing actions=browse_actions /> }.into_sync_any(),
                        Ok(None) => ().into_sync_any(),
                        Err(error) => {
                            view! {
                                <section class="card" id="browse" aria-label="Browse">
                                    <LoadError error />
                                    <a class="btn btn-small" href="/settings/connections">
                                        "Close"
                                    </a>
                                </section>
                            }
                                .into_sync_any()
                        }
                    })
            }}
        </Transition>
        <Transition fallback=|| {
            view! { <p>"Loading connections…"</p> }
        }>
            {move || {
                list.get()
                    .map(|result| match result {
                        Ok(page) if page.rows.is_empty() => {
                            view! {
                                <EmptyState>
                                    "No connections yet. Trust the host's key on Known hosts, then add the host below."
                                </EmptyState>
                            }
                                .into_sync_any()
                        }
                        Ok(page) => {
                            let (number, pages, total) = (page.page, page.pages, page.total);
                            let editing = editing_id();
                            let admin = admin.get();
                            let mut strips = page.strips;
                            view! {
                                <div class="cards">
                                    {page
                                        .rows
                                        .into_iter()
                                        .map(|connection| {
                                            let editing = editing == Some(connection.id);
                                            let strip = strips.remove(&connection.id);
                                            Settled(
                                                view! {
                                                    <ConnectionCard
                                                        connection
                                                        admin
                                                        actions
                                                        editing
                                                        page=number
                                                        strip
                                                    />
                                                },
                                            )
                                        })
                                        .collect_view()}
                                </div>
                                <Pager page=number pages total noun="connections" />
                            }
                                .into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        // Inside a Transition so the server render waits for the signed-in user (no JavaScript needed).
        <Transition fallback=|| ()>
            <When when=move || admin.get()>
                <section class="card" aria-labelledby="add-connection">
                    <h2 id="add-connection">"Add a connection"</h2>
                    <p class="hint">
                        "For a key already installed on the host. Presets: "
                        {PRESETS
                            .iter()
                            .map(|(id, label, ..)| {
                                view! {
                                    <a class="preset" href=format!("?preset={id}")>
                                        {*label}
                                    </a>
                                    " "
                                }
                            })
                            .collect_view()}
                    </p>
                    {move || {
                        let values = FormValues::preset(&preset());
                        view! {
                            <PostForm action=create node_ref=reset_on_success(create) attr:class="stack">
                                <ConnectionFields values prefix="add" />
                                <FormError error=action_error(create) />
                                <button class="btn btn-primary" type="submit">
                                    "Add connection"
                                </button>
                            </PostForm>
                        }
                    }}
                </section>
            </When>
        </Transition>
    }
}
