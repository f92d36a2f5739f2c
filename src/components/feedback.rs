//! Showing results: an action's error next to its form, a failed load, an empty state.

use crate::components::form_action::FormAction;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A resource source that changes each time one of the given actions finishes, as an array of
/// their run counters. The counters are taken once, when the page is made: `version()` makes a
/// new signal at every call and panics once the page is gone, which happens when a client leaves
/// mid-render while the page's data still loads; a counter read after that reads 0.
macro_rules! finished_runs {
    ($($action:expr),+ $(,)?) => {{
        let counters = [$($action.version()),+];
        move || counters.map(|counter| counter.try_get().unwrap_or(0))
    }};
}
pub(crate) use finished_runs;

/// The error of an action's last run, if it failed. With JavaScript off the error arrives in the
/// redirect URL and `FormAction` reads it from there, so the same view works both ways.
pub fn action_error<S>(action: FormAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError>,
    S::Output: Send + Sync + 'static,
{
    error_of(action.value())
}

/// Whether an action's last run succeeded (JavaScript on only; without it the page just reloads).
pub fn action_succeeded<S>(action: FormAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError>,
    S::Output: Send + Sync + 'static,
{
    succeeded(action.value())
}

/// A form that empties itself once its action succeeds (with JavaScript; without it the page
/// reloads with an empty form anyway), so a second submit never resends the first one's choices.
pub fn reset_on_success<S>(action: FormAction<S>) -> NodeRef<leptos::html::Form>
where
    S: ServerFn<Error = AppError>,
    S::Output: Send + Sync + 'static,
{
    let form: NodeRef<leptos::html::Form> = NodeRef::new();
    let succeeded = succeeded(action.value());
    Effect::new(move |_| {
        if succeeded.get()
            && let Some(element) = form.get_untracked()
        {
            element.reset();
        }
    });
    form
}

// The helpers above are generic over the server function only to read its answer type; the work
// is generic over that type alone, so forms with the same answer type share its code.

fn error_of<O: Send + Sync + 'static>(value: MappedSignal<Option<Result<O, AppError>>>) -> Signal<Option<AppError>> {
    Signal::derive(move || value.with(|last| last.as_ref().and_then(|result| result.as_ref().err().cloned())))
}

fn succeeded<O: Send + Sync + 'static>(value: MappedSignal<Option<Result<O, AppError>>>) -> Signal<bool> {
    Signal::derive(move || value.with(|last| last.as_ref().is_some_and(|result| result.is_ok())))
}

/// An error message for a form, announced to screen readers.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <p class="form-error" role="alert">
                    {e.to_string()}
                </p>
            }
        })
    }
}

/// The error of a plain multipart upload, which the server sends back in `?upload_error=` (an
/// upload cannot ride a server function, so it has no action to hold its error).
#[component]
pub fn UploadError() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query.read().get("upload_error").map(|message| {
            view! {
                <p class="form-error" role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// A page section that could not load.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    let hint = match &error {
        AppError::Unauthorized(_) => Some(view! { <a href="/login">"Sign in again"</a> }),
        _ => None,
    };
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.to_string()}</p>
            {hint}
        </div>
    }
}

/// What to do when a list is empty.
#[component]
pub fn EmptyState<C: IntoView + 'static>(children: TypedChildren<C>) -> impl IntoView {
    view! { <div class="empty-state">{children.into_inner()()}</div> }
}
