//! The HTML shell and the router: which page answers which path.

use crate::components::layout::Layout;
use crate::components::toasts::{ToastRegion, provide_toasts};
use crate::components::when::When;
use crate::pages::lazy::{
    AlertsRoute, AuditRoute, ConnectionHealthRoute, ConnectionsRoute, DashboardRoute, HealthRoute, InventoryRoute,
    KeyInventoryRoute, KnownHostsRoute, PublicKeysRoute, RepositoriesRoute, RepositoryRoute, RotationRoute,
    RotationsRoute, SetupRoute, SshKeysRoute, TokensRoute, UsersRoute,
};
use crate::pages::{accounts::LoginPage, not_found::NotFound};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The document around every page, rendered on the server.
///
/// Every route renders in `SsrMode::Async`: the server waits for the page's data and sends complete
/// HTML, so pages work with JavaScript off (streamed Suspense needs a script to swap content in).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // A key on blue; without it every page load asks for a /favicon.ico that is not there.
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The Content-Security-Policy of a page: scripts only from Keyhaven itself and the inline ones this
/// render wrote, which carry the request's nonce (Leptos puts it on its hydration and resource
/// scripts); WebAssembly allowed to compile; no plugins, frames or foreign form targets. Style
/// attributes stay allowed (storage bars set their width). Other answers get the header's base
/// policy (`security_headers`), which this one replaces for pages.
#[cfg(feature = "ssr")]
fn page_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let toasts = provide_toasts();
    // True while the router loads the next page (its code, for a lazy page, and its data).
    let (is_routing, set_is_routing) = signal(false);
    view! {
        <Stylesheet id="keyhaven" href="/pkg/keyhaven.css" />
        // The empty text keeps "Keyhaven" as the title while a lazy page hydrates (no text = no title).
        <Title
            text=""
            formatter=|page: String| {
                if page.is_empty() { "Keyhaven".to_string() } else { format!("{page} · Keyhaven") }
            }
        />
        <When when=move || is_routing.get()>
            <div class="route-progress" role="progressbar" aria-label="Loading the page"></div>
        </When>
        <Router set_is_routing>
            <Routes fallback=NotFound>
                <Route path=path!("/setup") view=SetupRoute::route() ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("health") view=HealthRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/ssh-keys") view=SshKeysRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/connections") view=ConnectionsRoute::route() ssr=SsrMode::Async />
                    <Route
                        path=path!("settings/connections/:id")
                        view=ConnectionHealthRoute::route()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("settings/connections/:id/authorized-keys")
                        view=InventoryRoute::route()
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("settings/inventory") view=KeyInventoryRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/rotations") view=RotationsRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/rotations/:id") view=RotationRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/known-hosts") view=KnownHostsRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/public-keys") view=PublicKeysRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/repositories") view=RepositoriesRoute::route() ssr=SsrMode::Async />
                    <Route
                        path=path!("settings/repositories/:owner/:name")
                        view=RepositoryRoute::route()
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("settings/users") view=UsersRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/tokens") view=TokensRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/alerts") view=AlertsRoute::route() ssr=SsrMode::Async />
                    <Route path=path!("settings/audit") view=AuditRoute::route() ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
        <ToastRegion toasts />
    }
}
