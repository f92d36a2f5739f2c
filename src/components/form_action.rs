//! `FormAction<S>`: the action behind a [`PostForm`](super::post_form::PostForm) — Leptos's
//! `ServerAction<S>`, carrying the form's own URL-encoded body instead of the server function's
//! arguments.
//!
//! Why: a `ServerAction<S>` is compiled for each server function `S`. With JavaScript the
//! browser read a form's fields into `S` (serde_qs), wrote `S` back out as the same URL-encoded
//! text (serde_qs again) and ran Leptos's action machinery for `S`: about 10 KB of wasm per
//! form, for 31 forms. The form's body *is* what the server function reads — a browser without
//! JavaScript posts exactly that — so a `FormAction` sends it as it is, and its action is compiled
//! once per answer type (most forms answer `()` or an `ActionOutcome`) instead of once per form.
//!
//! What the page sees is unchanged: the answer (`value`), whether it runs (`pending`), how often it
//! finished (`version`), and an error a post without JavaScript was redirected back with.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::{FromServerFnError, ServerFnUrlError};
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// A form's fields, URL-encoded as the browser posts them (`id=4&password=…`).
#[derive(Clone, Debug, PartialEq)]
pub struct FormBody(pub String);

impl FormBody {
    /// The `id` field, for showing which row's action is running.
    pub fn id(&self) -> Option<i32> {
        self.0.split('&').find_map(|pair| pair.strip_prefix("id=")).and_then(|value| value.parse().ok())
    }
}

/// The action of a server function `S` posted by a form; see the module documentation.
pub struct FormAction<S: ServerFn> {
    action: Action<FormBody, Result<S::Output, AppError>>,
    function: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormAction<S> {}

impl<S> FormAction<S>
where
    S: ServerFn<Error = AppError>,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self { action: posting_action(S::url()), function: PhantomData }
    }
}

impl<S> FormAction<S>
where
    S: ServerFn<Error = AppError>,
    S::Output: Send + Sync + 'static,
{
    /// Where the form posts to.
    pub fn url(&self) -> &'static str {
        S::url()
    }

    /// The answer of the last run (or the error a post without JavaScript came back with).
    pub fn value(&self) -> MappedSignal<Option<Result<S::Output, AppError>>> {
        self.action.value()
    }

    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }

    /// How many runs have finished.
    pub fn version(&self) -> RwSignal<usize> {
        self.action.version()
    }

    /// The body of the run in progress.
    pub fn input(&self) -> MappedSignal<Option<FormBody>> {
        self.action.input()
    }

    pub fn dispatch(&self, body: FormBody) {
        self.action.dispatch(body);
    }
}

/// The action for one answer type `O`: posts a body to `url`. Generic over the answer only, so
/// every form with the same answer type shares its code.
fn posting_action<O>(url: &'static str) -> Action<FormBody, Result<O, AppError>>
where
    O: DeserializeOwned + Send + Sync + 'static,
{
    // Without JavaScript a failed post redirects back with its error in the URL; Leptos hands it
    // over as context, marked with the server function's path.
    let failed = use_context::<ServerActionError>()
        .filter(|error| error.path() == url)
        .map(|error| Err(ServerFnUrlError::<AppError>::decode_err(error.err())));
    Action::new_with_value(failed, move |body: &FormBody| post(url, body.0.clone()))
}

/// Posts `body` to the server function at `url` as a fetch (the server answers JSON, not a
/// redirect) and reads the answer: what server functions' own client does.
async fn post<O: DeserializeOwned>(url: &'static str, body: String) -> Result<O, AppError> {
    use leptos::server_fn::client::{Client, browser::BrowserClient};
    use leptos::server_fn::redirect::call_redirect_hook;
    use leptos::server_fn::request::{ClientReq, browser::BrowserRequest};
    use leptos::server_fn::response::ClientRes;

    let request = <BrowserRequest as ClientReq<AppError>>::try_new_post(
        url,
        "application/x-www-form-urlencoded",
        "application/json",
        body,
    )?;
    let response = <BrowserClient as Client<AppError>>::send(request).await?;
    type Response = <BrowserClient as Client<AppError>>::Response;
    let status = <Response as ClientRes<AppError>>::status(&response);
    let location = <Response as ClientRes<AppError>>::location(&response);
    let redirected = <Response as ClientRes<AppError>>::has_redirect(&response);
    let bytes = <Response as ClientRes<AppError>>::try_into_bytes(response).await?;
    let answer = if (400..=599).contains(&status) {
        Err(AppError::de(bytes))
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|_| AppError::Internal("Keyhaven's answer could not be read; reload the page.".into()))
    };
    if (300..=399).contains(&status) || redirected {
        call_redirect_hook(&location);
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::FormBody;

    #[test]
    fn finds_the_id_field() {
        assert_eq!(FormBody("id=42".into()).id(), Some(42));
        assert_eq!(FormBody("page=2&id=7&password=a%26id%3D9".into()).id(), Some(7));
        assert_eq!(FormBody("step=key".into()).id(), None);
        assert_eq!(FormBody("uid=3&id=x".into()).id(), None);
    }
}
