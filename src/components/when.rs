//! `When`: Leptos's `Show` without a fallback and without type erasure.
//!
//! `Show` takes its children as `ChildrenFn`, an `AnyView`: in the wasm that compiles, for each
//! use, the erased view's code including async hydration (which no page here needs), and on the
//! server it copies every static attribute of the children into a new `Arc<str>` at each render.
//! `When` keeps the children's type. Like `Show`, it re-renders only when the condition changes.

use leptos::prelude::*;

#[component]
pub fn When<C: IntoView + 'static>(
    /// Whether the children are shown.
    when: impl Fn() -> bool + Send + Sync + 'static,
    children: TypedChildrenFn<C>,
) -> impl IntoView {
    let when = Memo::new(move |_| when());
    let children = children.into_inner();
    move || when.get().then(|| children())
}
