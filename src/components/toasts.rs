//! Toasts: a short notice of what an action just did, in one live region at the corner of the
//! screen, so the result of a button far down a page is seen where the eye is. They exist only with
//! JavaScript (an action's result lives in the browser); without it the page reloads and shows the
//! same result inline, so a toast is never the only place a result appears.

use crate::components::form_action::FormAction;
use crate::error::AppError;
use crate::model::ActionOutcome;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use std::time::Duration;

/// How many toasts stay on screen at once; older ones make room.
const MAX_SHOWN: usize = 4;

#[derive(Clone, PartialEq)]
struct Toast {
    id: u64,
    text: String,
    failed: bool,
}

/// The toasts on screen, shared by every page through context.
#[derive(Clone, Copy)]
pub struct Toasts {
    shown: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    /// Shows `text`; a failure stays longer, because it usually needs reading.
    pub fn push(self, text: String, failed: bool) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.shown.update(|shown| {
            shown.push(Toast { id, text, failed });
            if shown.len() > MAX_SHOWN {
                shown.remove(0);
            }
        });
        let seconds = if failed { 10 } else { 5 };
        set_timeout(move || self.dismiss(id), Duration::from_secs(seconds));
    }

    fn dismiss(self, id: u64) {
        self.shown.update(|shown| shown.retain(|t| t.id != id));
    }
}

/// Makes the toast list for the whole app; call once, above every page.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts { shown: RwSignal::new(Vec::new()), next_id: StoredValue::new(0) };
    provide_context(toasts);
    toasts
}

/// Shows a toast each time `action` finishes: `done` says what a success did; a failure shows
/// the server's message. Does nothing on the server or outside an app with toasts.
pub fn toast_results<S>(action: FormAction<S>, done: impl Fn(&S::Output) -> (String, bool) + 'static)
where
    S: ServerFn<Error = AppError>,
    S::Output: Send + Sync + 'static,
{
    watch_results(action.version(), action.value(), done);
}

/// A toast with fixed text for an action whose success says nothing more.
pub fn toast_done<S>(action: FormAction<S>, text: &'static str)
where
    S: ServerFn<Error = AppError>,
    S::Output: Send + Sync + 'static,
{
    watch_done(action.version(), action.value(), text);
}

/// A toast for a test or deploy: its own message, marked failed when the host failed it.
pub fn toast_outcome<S>(action: FormAction<S>)
where
    S: ServerFn<Error = AppError, Output = ActionOutcome>,
{
    watch_results(action.version(), action.value(), |outcome: &ActionOutcome| {
        (outcome.message.clone(), !outcome.success)
    });
}

// Generic over the answer type alone (not the server function), so that forms with the same
// answer type share this code in the wasm.

fn watch_done<O: Send + Sync + 'static>(
    version: RwSignal<usize>,
    value: MappedSignal<Option<Result<O, AppError>>>,
    text: &'static str,
) {
    watch_results(version, value, move |_: &O| (text.to_string(), false));
}

fn watch_results<O: Send + Sync + 'static>(
    version: RwSignal<usize>,
    value: MappedSignal<Option<Result<O, AppError>>>,
    done: impl Fn(&O) -> (String, bool) + 'static,
) {
    let Some(toasts) = use_context::<Toasts>() else { return };
    Effect::watch(
        move || version.get(),
        move |_, _, _| {
            let shown = value.with_untracked(|last| match last {
                Some(Ok(output)) => Some(done(output)),
                Some(Err(error)) => Some((error.to_string(), true)),
                None => None,
            });
            if let Some((text, failed)) = shown {
                toasts.push(text, failed);
            }
        },
        false,
    );
}

/// The corner where toasts appear; each can be dismissed with its button.
#[component]
pub fn ToastRegion(toasts: Toasts) -> impl IntoView {
    view! {
        <div class="toasts" role="region" aria-label="Notifications" aria-live="polite">
            <For each=move || toasts.shown.get() key=|t| t.id let:toast>
                <div class=if toast.failed { "toast toast-failed" } else { "toast" }>
                    <p>{toast.text.clone()}</p>
                    <button
                        type="button"
                        class="btn btn-quiet btn-small"
                        aria-label="Dismiss notification"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
