//! [`Settled`]: a part of a page that has nothing left to wait for once its data has arrived (a
//! card of a list, say), rendered and hydrated as such; [`SyncHydrated`] (and
//! [`IntoSyncAny::into_sync_any`]): a part that renders as usual but hydrates synchronously.
//!
//! Why: on the server, a `Transition` first *resolves* its whole subtree before writing it out,
//! joining one future per element and moving each element's view into and out of those futures;
//! for a page of 25 connection cards that was the largest cost of the page (memmove was an
//! eighth of the server's time, measured with perf). And in the browser, a lazy page hydrates
//! through `hydrate_async`, which nests one state machine per element — the largest part of
//! the wasm. A settled subtree skips both: it resolves as itself, is written out synchronously
//! and hydrates synchronously, while building and updating it in the browser stay the same.
//!
//! `Settled` is only for subtrees without a `Suspense`, `Transition`, `Suspend` or lazy route of
//! their own: those would render their fallback instead of waiting. `SyncHydrated` is for any
//! part of a page but the router's outlet (a lazy route must hydrate asynchronously, after its
//! code has arrived): a page's `Transition`s hydrate synchronously as they do in a page that is
//! not lazy.

use leptos::tachys::html::attribute::{Attribute, any_attribute::AnyAttribute};
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::any_view::{AnyView, IntoAny};
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml, add_attr::AddAnyAttr};

/// A view whose data is all there: see the module documentation.
pub struct Settled<V>(pub V);

/// A view that hydrates synchronously, even inside a lazy page: see the module documentation.
pub struct SyncHydrated<V>(pub V);

/// Building and updating in the browser, and adding attributes, as the wrapped view does.
macro_rules! delegate_render {
    ($wrapper:ident) => {
        impl<V: Render> Render for $wrapper<V> {
            type State = V::State;

            fn build(self) -> Self::State {
                self.0.build()
            }

            fn rebuild(self, state: &mut Self::State) {
                self.0.rebuild(state);
            }
        }

        /// An added attribute unwraps the view (its owned form is itself only while it is
        /// `'static`, which an attribute need not be). No page adds one to a wrapped view.
        impl<V: AddAnyAttr> AddAnyAttr for $wrapper<V> {
            type Output<SomeNewAttr: Attribute> = V::Output<SomeNewAttr>;

            fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
            where
                Self::Output<NewAttr>: RenderHtml,
            {
                self.0.add_any_attr(attr)
            }
        }
    };
}
delegate_render!(Settled);
delegate_render!(SyncHydrated);

/// The members of `RenderHtml` both wrappers take from the wrapped view unchanged: its size, its
/// HTML and its synchronous hydration.
macro_rules! delegate_html {
    ($wrapper:ident) => {
        const MIN_LENGTH: usize = V::MIN_LENGTH;
        const EXISTS: bool = V::EXISTS;

        fn dry_resolve(&mut self) {
            self.0.dry_resolve();
        }

        fn html_len(&self) -> usize {
            self.0.html_len()
        }

        fn to_html_with_buf(
            self,
            buf: &mut String,
            position: &mut Position,
            escape: bool,
            mark_branches: bool,
            extra_attrs: Vec<AnyAttribute>,
        ) {
            self.0.to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
        }

        fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> Self::State {
            self.0.hydrate::<FROM_SERVER>(cursor, position)
        }

        /// A wrapped view is `'static` already, so it is its own owned form. (Tachys would convert
        /// it: every `&'static str` attribute of every element copied into a new `Arc<str>`,
        /// which `into_any` does to the whole subtree — for a page of 25 cards, a thousand
        /// allocations and the code to make them.)
        fn into_owned(self) -> Self::Owned {
            self
        }
    };
}

impl<V: RenderHtml + 'static> RenderHtml for Settled<V> {
    type AsyncOutput = Self;
    type Owned = Self;

    delegate_html!(Settled);

    /// Nothing to wait for: the view as it is.
    async fn resolve(self) -> Self::AsyncOutput {
        self
    }

    // `to_html_async_with_buf` and `hydrate_async` keep their defaults, which write out and
    // hydrate synchronously.
}

impl<V: RenderHtml + 'static> RenderHtml for SyncHydrated<V> {
    type AsyncOutput = SyncHydrated<V::AsyncOutput>;
    type Owned = Self;

    delegate_html!(SyncHydrated);

    async fn resolve(self) -> Self::AsyncOutput {
        SyncHydrated(self.0.resolve().await)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(buf, position, escape, mark_branches, extra_attrs);
    }

    // `hydrate_async` keeps its default: synchronous hydration.
}

/// `into_any()` for a branch of a page, hydrated synchronously: an `AnyView` compiles the async
/// hydration of whatever it holds, wanted or not, and a page's branches never need it.
pub trait IntoSyncAny {
    fn into_sync_any(self) -> AnyView;
}

impl<V: RenderHtml + Send + 'static> IntoSyncAny for V {
    fn into_sync_any(self) -> AnyView {
        SyncHydrated(self).into_any()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use leptos::prelude::*;

    fn card(name: &str) -> impl IntoView + use<> {
        let label = format!("Delete {name}");
        view! {
            <article class="card" aria-label=name.to_string()>
                <h2>{name.to_string()}</h2>
                <button type="submit">{label}</button>
            </article>
        }
    }

    /// The server writes a wrapped view exactly as the view itself, whether rendered at once or
    /// through the async path a `Transition` takes.
    #[tokio::test]
    async fn wrapping_changes_no_html() {
        let plain = card("backup@nas:22").to_html();
        assert!(plain.contains("Delete backup@nas:22"), "{plain}");
        assert_eq!(Settled(card("backup@nas:22")).to_html(), plain);
        assert_eq!(SyncHydrated(card("backup@nas:22")).to_html(), plain);
        let streamed = |view: AnyView| async move {
            use futures::StreamExt;
            view.resolve().await.to_html_stream_in_order().collect::<Vec<String>>().await.concat()
        };
        let expected = streamed(card("backup@nas:22").into_any()).await;
        assert_eq!(streamed(Settled(card("backup@nas:22")).into_any()).await, expected);
        assert_eq!(streamed(card("backup@nas:22").into_sync_any()).await, expected);
    }
}
