//! `/settings/rotations/:id`: one rotation and every connection it moves, with the state each has
//! reached. While it runs the page follows it: with JavaScript it asks again every second; without,
//! the browser reloads it every three seconds (a refresh tag inside `<noscript>`, sent only while it runs).

use crate::api::rotation::get_rotation;
use crate::components::feedback::LoadError;
use crate::components::page_resource::page_resource;
use crate::components::rotation::{HostsTable, counts_text, state_label};
use crate::components::settled::IntoSyncAny;
use crate::model::{RotationView, rotation_state};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RotationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let tick = RwSignal::new(0u32);
    let rotation = page_resource(move || (id(), tick.get()), |(id, _)| get_rotation(id));
    #[cfg(feature = "hydrate")]
    {
        let running = move || {
            rotation.get().and_then(Result::ok).is_some_and(|r: RotationView| r.state == rotation_state::RUNNING)
        };
        let timer = set_interval_with_handle(
            move || {
                if running() {
                    tick.update(|t| *t = t.wrapping_add(1));
                }
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
    view! {
        <Title text="Key rotation" />
        <p>
            <a href="/settings/rotations">"← Key rotations"</a>
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                rotation
                    .get()
                    .map(|result| match result {
                        Ok(view) => view! { <RotationBody view /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn RotationBody(view: RotationView) -> impl IntoView {
    let running = view.state == rotation_state::RUNNING;
    let heading = if view.dry_run {
        format!("Dry run #{} of {}", view.id, view.old_key_name)
    } else {
        format!("Rotation #{} of {}", view.id, view.old_key_name)
    };
    let keys = match &view.new_fingerprint {
        Some(new) => format!("{} → {new}", view.old_fingerprint),
        None => format!("{} (a dry run makes no new key)", view.old_fingerprint),
    };
    let verdict = match view.state.as_str() {
        rotation_state::FINISHED => "Every connection moved; the new key took the old key's name.",
        rotation_state::ATTENTION => {
            "Some connections did not move (see below); the old key stays until they do or you retire it."
        }
        rotation_state::DRY_RUN => "Nothing was changed on any host.",
        _ => "Running: each connection's state changes as its steps finish.",
    };
    let started = format!("Started {} by {}", view.created_at, view.started_by);
    let counts = counts_text(&view);
    view! {
        // Without JavaScript only (inside <noscript> a running script sees text, not a tag).
        {running.then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="3">"# /> })}
        <h1>{heading}</h1>
        <p class="lead">{keys}</p>
        <p role="status" aria-live="polite">
            <strong>{state_label(&view.state)}</strong>
            {format!(" — {counts}. {verdict}")}
        </p>
        <p class="hint">{started}</p>
        <HostsTable hosts=view.hosts />
    }
}
