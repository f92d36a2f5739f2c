//! `/settings/inventory`: the fleet view over every connection's newest read of its
//! `authorized_keys` — where a fingerprint can log in, which hosts have unknown keys. A plain GET
//! form, so the question is in the URL and the page works without JavaScript. No host is logged in
//! to: the answer comes from the reads kept, each with its date. Below, the notes operators left on
//! keys they know but did not import.

use super::run::RunCard;
use crate::api::inventory::{ForgetInventoryNote, get_inventory_fleet, get_inventory_notes};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::inventory::LinesTable;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::model::{CLASSES, FleetEntry, InventoryNote, class_label};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn KeyInventoryPage() -> impl IntoView {
    let query = use_query_map();
    let asked = move |name: &str| query.read().get(name).unwrap_or_default();
    // Unknown keys first: the question an auditor asks before any other.
    let question = move || {
        let (fingerprint, class) = (asked("fingerprint"), asked("class"));
        let class =
            if fingerprint.is_empty() && query.read().get("class").is_none() { "unknown".into() } else { class };
        (fingerprint, class)
    };
    // A fleet read that finishes while the page is open makes the answers below current.
    let runs_finished = RwSignal::new(0u32);
    let found = page_resource(
        move || (question(), runs_finished.get()),
        |((fingerprint, class), _)| get_inventory_fleet(fingerprint, class),
    );
    // The form shows the question the page was opened with, once: a value bound to the URL would
    // overwrite what someone types while the page hydrates.
    let asked_first = untrack(question);
    view! {
        <Title text="Key inventory" />
        <h1>"Key inventory"</h1>
        <p class="lead">
            "Which keys can log in where, from each connection's newest read of its authorized_keys "
            "(read one on its Authorized keys page)."
        </p>
        <RunCard finished=runs_finished />
        <form method="get" action="/settings/inventory" class="inline-form">
            <label for="fingerprint">"Fingerprint"</label>
            <input id="fingerprint" name="fingerprint" placeholder="SHA256:…" value=asked_first.0 />
            <label for="class">"Whose"</label>
            <select id="class" name="class">
                <option value="" selected=asked_first.1.is_empty()>
                    "Any"
                </option>
                {CLASSES
                    .into_iter()
                    .map(|c| {
                        view! {
                            <option value=c selected=asked_first.1 == c>
                                {class_label(c)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button class="btn btn-small" type="submit">
                "Find"
            </button>
        </form>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                found
                    .get()
                    .map(|result| match result {
                        Ok(entries) if entries.is_empty() => {
                            view! { <EmptyState>"No connection's newest read has such a key."</EmptyState> }
                                .into_sync_any()
                        }
                        Ok(entries) => {
                            entries
                                .into_iter()
                                .map(|entry| view! { <FleetCard entry /> })
                                .collect_view()
                                .into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <NotesCard />
    }
}

/// The notes on keys, each with "Forget" for admins (its key then shows as unknown again).
#[component]
fn NotesCard() -> impl IntoView {
    let admin = is_admin(expect_context::<MeResource>());
    let forget = FormAction::<ForgetInventoryNote>::new();
    let notes = page_resource(finished_runs!(forget), |_| get_inventory_notes());
    view! {
        <section class="card" aria-labelledby="notes">
            <h2 id="notes">"Noted keys"</h2>
            <FormError error=action_error(forget) />
            <Transition fallback=|| {
                view! { <p>"Loading…"</p> }
            }>
                {move || {
                    notes
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="hint">
                                        "No notes yet: adopt a line on a connection's Authorized keys page."
                                    </p>
                                }
                                    .into_sync_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul class="stack">
                                        {list
                                            .into_iter()
                                            .map(|note| view! { <NoteItem note forget admin=admin.get() /> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_sync_any()
                            }
                            Err(error) => view! { <LoadError error /> }.into_sync_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn NoteItem(note: InventoryNote, forget: FormAction<ForgetInventoryNote>, admin: bool) -> impl IntoView {
    let fingerprint = note.fingerprint.clone();
    view! {
        <li>
            <code class="mono">{note.fingerprint}</code>
            {format!(" — {} (by {}, {})", note.note, note.noted_by, note.noted_at)}
            {admin
                .then(|| {
                    view! {
                        <PostForm action=forget attr:class="inline-form">
                            <input type="hidden" name="fingerprint" value=fingerprint />
                            <button class="btn btn-small" type="submit">
                                "Forget note"
                            </button>
                        </PostForm>
                    }
                })}
        </li>
    }
}

#[component]
fn FleetCard(entry: FleetEntry) -> impl IntoView {
    let heading = format!("card-{}", entry.connection_id);
    let labelled_by = heading.clone();
    let href = format!("/settings/connections/{}/authorized-keys", entry.connection_id);
    let caption = "Matching lines";
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=heading>
                <a href=href>{entry.connection.clone()}</a>
            </h2>
            <p class="hint">{format!("Read {}", entry.read_at)}</p>
            {entry
                .error
                .map(|error| view! { <p class="alert alert-error">{format!("The newest read failed: {error}")}</p> })}
            {(!entry.lines.is_empty()).then(|| view! { <LinesTable lines=entry.lines caption /> })}
        </section>
    }
}
