//! `PostForm`: a server function's form — Leptos's `ActionForm`, made lighter for pages with
//! many of them (a page of 25 connection cards has 100).
//!
//! Like `ActionForm` it is a plain `<form method="post">` to the server function's URL, so it
//! posts without JavaScript, and with JavaScript it dispatches its action instead of leaving the
//! page. It differs in what it costs:
//! - `ActionForm` takes two of the action's signals when it is made (each call makes a new one);
//!   `PostForm` touches the action only when the form is submitted.
//! - `ActionForm`'s children are type-erased (`Children`): every form's content compiles the
//!   erased view's build, hydrate and async-hydrate code into the wasm and is boxed on every
//!   render. `PostForm`'s children keep their type (`TypedChildren`).
//! - `ActionForm` sets a redirect hook for pages without a router; every page here has one.
//! - With JavaScript it posts the form's body as it is, through a [`FormAction`].

use crate::components::form_action::{FormAction, FormBody};
use crate::error::AppError;
use leptos::either::Either;
use leptos::ev::{SubmitEvent, submit};
use leptos::html::{Form, form};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlButtonElement, HtmlFormElement, UrlSearchParams};
use serde::de::DeserializeOwned;

#[component]
pub fn PostForm<S, C>(
    /// The action the form posts to.
    action: FormAction<S>,
    /// Where to keep the `<form>` element (to reset it, for example).
    #[prop(optional)]
    node_ref: Option<NodeRef<Form>>,
    /// The form's fields and buttons.
    children: TypedChildren<C>,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
    C: IntoView + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        match url_encoded(&ev) {
            Some(body) => action.dispatch(FormBody(body)),
            None => leptos::logging::error!("the submitted form's fields could not be read"),
        }
    };
    let post = form().action(action.url()).method("post").on(submit, on_submit).child(children.into_inner()());
    match node_ref {
        Some(node_ref) => Either::Left(post.node_ref(node_ref)),
        None => Either::Right(post),
    }
}

/// The submitted form's fields as the browser would post them, the pressed button's name and
/// value included (as Leptos's `ActionForm` does).
fn url_encoded(ev: &SubmitEvent) -> Option<String> {
    let form = ev.target()?.dyn_into::<HtmlFormElement>().ok()?;
    let data = FormData::new_with_form(&form).ok()?;
    if let Some(button) = ev.submitter().and_then(|s| s.dyn_into::<HtmlButtonElement>().ok())
        && !button.name().is_empty()
    {
        data.append_with_str(&button.name(), &button.value()).ok()?;
    }
    UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?.to_string().as_string()
}
