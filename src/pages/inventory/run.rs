//! The "Read every connection" card of the Key inventory page: start the job (admins) and follow
//! it. While it runs the card follows it: with JavaScript it asks again every second; without, the
//! browser reloads the page every three seconds (a refresh tag inside `<noscript>`, sent only
//! while it runs). When a run finishes the fleet answers below are read again.

use crate::api::inventory::{StartInventoryRun, get_inventory_run};
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::model::{InventoryRunView, inventory_run_state};
use leptos::prelude::*;

/// The card; `finished` counts the runs seen to finish, so the page can read its answers again.
#[component]
pub fn RunCard(finished: RwSignal<u32>) -> impl IntoView {
    let admin = is_admin(expect_context::<MeResource>());
    let start = FormAction::<StartInventoryRun>::new();
    let tick = RwSignal::new(0u32);
    let started = finished_runs!(start);
    let run = page_resource(move || (tick.get(), started()), |_| get_inventory_run());
    let running = move || {
        run.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|r: InventoryRunView| r.state == inventory_run_state::RUNNING)
    };
    #[cfg(feature = "hydrate")]
    {
        let was_running = StoredValue::new(false);
        let timer = set_interval_with_handle(
            move || {
                let now = running();
                if now {
                    tick.update(|t| *t = t.wrapping_add(1));
                } else if was_running.get_value() {
                    finished.update(|n| *n = n.wrapping_add(1));
                }
                was_running.set_value(now);
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(handle) = timer {
                handle.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = finished;
    view! {
        <section class="card" aria-labelledby="fleet-read">
            <h2 id="fleet-read">"Read every connection"</h2>
            <p class="hint">
                "Reads each connection's authorized_keys now (read only), a few at a time; the answers below come from the newest reads."
            </p>
            <Show when=move || admin.get()>
                <PostForm action=start attr:class="inline-form">
                    <button class="btn" type="submit" disabled=running>
                        "Read every connection"
                    </button>
                </PostForm>
            </Show>
            <FormError error=action_error(start) />
            <Transition fallback=|| ()>
                {move || {
                    run.get()
                        .map(|result| match result {
                            Ok(Some(view)) => view! { <RunProgress view /> }.into_sync_any(),
                            Ok(None) => view! { <p class="hint">"Not run yet."</p> }.into_sync_any(),
                            Err(error) => view! { <LoadError error /> }.into_sync_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn RunProgress(view: InventoryRunView) -> impl IntoView {
    let running = view.state == inventory_run_state::RUNNING;
    let what = if running { "Reading" } else { "Read" };
    let failed = if view.failed > 0 { format!(" ({} could not be read)", view.failed) } else { String::new() };
    let when = match &view.finished_at {
        Some(at) => format!("Started {} by {}, finished {at}.", view.started_at, view.started_by),
        None => format!("Started {} by {}.", view.started_at, view.started_by),
    };
    view! {
        {running.then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="3">"# /> })}
        <p role="status" aria-live="polite">
            <strong>{format!("{what} {} of {} connections{failed}", view.done, view.total)}</strong>
        </p>
        <progress
            max=view.total.max(1).to_string()
            value=view.done.to_string()
            aria-label="Connections read"
        ></progress>
        <p class="hint">{when}</p>
    }
}
