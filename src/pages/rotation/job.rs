//! `/settings/rotations/:id`: one rotation and every connection it moves, with the state each has
//! reached. While it runs the page follows it: with JavaScript it asks again every second; without,
//! the browser reloads it every three seconds (a refresh tag inside `<noscript>`, sent only while it runs).

use crate::api::rotation::get_rotation;
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::rotation::{HostsTable, RotationActions, counts_text, state_label};
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::{RotationView, rotation_state};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RotationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let tick = RwSignal::new(0u32);
    let admin = is_admin(expect_context::<MeResource>());
    let actions = RotationActions {
        retry: FormAction::new(),
        roll_back: FormAction::new(),
        retire: FormAction::new(),
        skip: FormAction::new(),
        deploy: FormAction::new(),
    };
    toast_done(actions.retry, "Retrying the failed connections.");
    toast_done(actions.roll_back, "Rolling back.");
    toast_done(actions.retire, "The old key is retired.");
    toast_done(actions.skip, "Connection skipped.");
    toast_done(actions.deploy, "New key deployed; the rotation goes on.");
    let runs = finished_runs!(actions.retry, actions.roll_back, actions.retire, actions.skip, actions.deploy);
    let rotation = page_resource(move || (id(), tick.get(), runs()), |(id, _, _)| get_rotation(id));
    #[cfg(feature = "hydrate")]
    {
        let running = move || {
            rotation.get().and_then(Result::ok).is_some_and(|r: RotationView| rotation_state::in_progress(&r.state))
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
        <FormError error=action_error(actions.retry) />
        <FormError error=action_error(actions.roll_back) />
        <FormError error=action_error(actions.retire) />
        <FormError error=action_error(actions.skip) />
        <FormError error=action_error(actions.deploy) />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                rotation
                    .get()
                    .map(|result| match result {
                        Ok(view) => {
                            let controls = (admin.get() && view.state == rotation_state::ATTENTION).then_some(actions);
                            view! { <RotationBody view controls /> }.into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn RotationBody(view: RotationView, controls: Option<RotationActions>) -> impl IntoView {
    let running = rotation_state::in_progress(&view.state);
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
    let id = view.id;
    let json = format!("/api/ssh-keys/rotations/{id}/report.json");
    let csv = format!("/api/ssh-keys/rotations/{id}/report.csv");
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
        {controls.map(|actions| view! { <JobControls id actions /> })}
        <HostsTable id hosts=view.hosts controls />
        <p>
            "Report: " <a href=json download>
                "JSON"
            </a> " · " <a href=csv download>
                "CSV"
            </a>
        </p>
    }
}

/// What an admin can do with a rotation that needs attention.
#[component]
fn JobControls(id: i32, actions: RotationActions) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="next">
            <h2 id="next">"What next"</h2>
            <div class="row-actions">
                <PostForm action=actions.retry attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <button class="btn" type="submit">
                        "Retry failed connections"
                    </button>
                </PostForm>
                <PostForm action=actions.roll_back attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <button class="btn" type="submit">
                        "Roll back to the old key"
                    </button>
                </PostForm>
                <details class="inline-details">
                    <summary class="btn btn-danger">"Retire the old key anyway"</summary>
                    <PostForm action=actions.retire attr:class="stack confirm">
                        <input type="hidden" name="id" value=id.to_string() />
                        <p>
                            "Connections still on the old key move to the new key without proof; "
                            "their hosts need the new key's line by hand (shown below)."
                        </p>
                        <label class="check">
                            <input type="checkbox" name="confirm" required />
                            " I understand those connections stop working until then"
                        </label>
                        <button class="btn btn-danger" type="submit">
                            "Retire the old key"
                        </button>
                    </PostForm>
                </details>
            </div>
        </section>
    }
}
