//! `/settings/connections/{id}/authorized-keys`: what really sits in the connection's
//! `~/.ssh/authorized_keys` — each line, whose key it lets in, behind which options — and what
//! changed since the read before. Reading logs in with the connection's key and changes nothing.
//! The read is a plain form post, so the page works without JavaScript.

use crate::api::inventory::{AdoptInventoryLine, ReadInventory, RemoveInventoryLine, get_inventory};
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::inventory::LinesTable;
use crate::components::inventory_actions::LineActions;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::{InventoryDrift, InventoryView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InventoryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let admin = is_admin(expect_context::<MeResource>());
    let read = FormAction::<ReadInventory>::new();
    let remove = FormAction::<RemoveInventoryLine>::new();
    let adopt = FormAction::<AdoptInventoryLine>::new();
    toast_done(read, "authorized_keys read.");
    toast_done(remove, "Line removed; the file was read again.");
    toast_done(adopt, "Key adopted.");
    let runs = finished_runs!(read, remove, adopt);
    let inventory = page_resource(move || (id(), runs()), |(id, _)| get_inventory(id));
    view! {
        <Title text="Authorized keys" />
        <p>
            <a href=move || format!("/settings/connections/{}", id())>"← Connection"</a>
        </p>
        <h1>"Authorized keys"</h1>
        <p class="lead">
            "Every key that can log in to this account through its authorized_keys file, and whose it is. "
            "Reading logs in with the connection's key and changes nothing on the host."
        </p>
        <Show when=move || admin.get()>
            <PostForm action=read attr:class="inline-form">
                <input type="hidden" name="id" value=move || id().to_string() />
                <button class="btn" type="submit">
                    "Read now"
                </button>
            </PostForm>
        </Show>
        <FormError error=action_error(read) />
        <FormError error=action_error(remove) />
        <FormError error=action_error(adopt) />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                inventory
                    .get()
                    .map(|result| match result {
                        Ok(Some(view)) => {
                            let actions = admin
                                .get()
                                .then_some(LineActions {
                                    connection_id: id(),
                                    remove,
                                    adopt,
                                });
                            view! { <InventoryBody view actions /> }.into_sync_any()
                        }
                        Ok(None) => view! { <p class="hint">"Not read yet."</p> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

fn summary(view: &InventoryView) -> String {
    let c = &view.counts;
    let mut parts = vec![format!("{} key line(s)", c.keys)];
    for (n, what) in [
        (c.keyhaven, "this Keyhaven's"),
        (c.person, "people's"),
        (c.deploy_key, "deploy keys"),
        (c.other_keyhaven, "another Keyhaven's"),
        (c.noted, "noted"),
        (c.unknown, "unknown"),
        (c.duplicates, "repeated"),
        (c.invalid, "invalid (sshd skips them)"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

#[component]
fn InventoryBody(view: InventoryView, actions: Option<LineActions>) -> impl IntoView {
    let heading = format!("{} — read {}", view.connection, view.read_at);
    let body = match (&view.error, view.file_exists) {
        (Some(error), _) => {
            view! { <p class="alert alert-error">{format!("The file could not be read: {error}")}</p> }.into_any()
        }
        (None, false) => {
            view! { <p>"This account has no ~/.ssh/authorized_keys: no key can log in through it."</p> }.into_any()
        }
        (None, true) => {
            let lines = view.lines.clone();
            view! {
                <p>{summary(&view)}</p>
                <LinesTable lines actions />
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="read">
            <h2 id="read">{heading}</h2>
            {body}
        </section>
        {view.drift.map(|drift| view! { <DriftCard drift /> })}
    }
}

#[component]
fn DriftCard(drift: InventoryDrift) -> impl IntoView {
    let unchanged = drift.added.is_empty() && drift.removed.is_empty();
    let list = |title: &'static str, grants: Vec<String>| {
        (!grants.is_empty()).then(|| {
            view! {
                <h3>{title}</h3>
                <ul class="attention">
                    {grants
                        .into_iter()
                        .map(|g| {
                            view! {
                                <li>
                                    <code class="mono">{g}</code>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="drift">
            <h2 id="drift">{format!("Changes since the read of {}", drift.since)}</h2>
            {unchanged.then(|| view! { <p>"No key was added or removed."</p> })}
            {list("Added", drift.added)}
            {list("Removed", drift.removed)}
        </section>
    }
}
