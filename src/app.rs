//! The HTML shell and the router: which page answers which path.

use crate::components::layout::Layout;
use crate::components::toasts::{ToastRegion, provide_toasts};
use crate::pages::{
    audit::AuditPage, connections::ConnectionsPage, dashboard::DashboardPage, known_hosts::KnownHostsPage,
    login::LoginPage, not_found::NotFound, public_keys::PublicKeysPage, repositories::RepositoriesPage,
    repository::RepositoryPage, setup::SetupPage, ssh_keys::SshKeysPage, tokens::TokensPage, users::UsersPage,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The document around every page, rendered on the server.
///
/// Every route renders in `SsrMode::Async`: the server waits for the page's data and sends complete
/// HTML, so pages work with JavaScript off (streamed Suspense needs a script to swap content in).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let toasts = provide_toasts();
    view! {
        <Stylesheet id="keyhaven" href="/pkg/keyhaven.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Keyhaven".to_string() } else { format!("{page} · Keyhaven") }
        } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=Layout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("settings/ssh-keys") view=SshKeysPage ssr=SsrMode::Async />
                    <Route path=path!("settings/connections") view=ConnectionsPage ssr=SsrMode::Async />
                    <Route path=path!("settings/known-hosts") view=KnownHostsPage ssr=SsrMode::Async />
                    <Route path=path!("settings/public-keys") view=PublicKeysPage ssr=SsrMode::Async />
                    <Route path=path!("settings/repositories") view=RepositoriesPage ssr=SsrMode::Async />
                    <Route path=path!("settings/repositories/:owner/:name") view=RepositoryPage ssr=SsrMode::Async />
                    <Route path=path!("settings/users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("settings/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("settings/audit") view=AuditPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
        <ToastRegion toasts />
    }
}
