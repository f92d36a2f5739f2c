//! The pages the browser downloads only when it shows them.
//!
//! Every page here is a lazy route: `cargo leptos build --split` moves its code out of the main
//! wasm into chunks of its own, which the browser loads when it first shows the page (before it
//! hydrates it, on a full page load). The sign-in page stays in the main file; the Dashboard is
//! lazy too (it was a fifth of the main file, which every page's first visit downloads).

use crate::components::settled::IntoSyncAny;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// `$route::route()`, the view for `<Route view=…>`: in the browser the lazy route, loaded on
/// first use; on the server the page `$page` itself. Both give the same `AnyView`, so the same
/// HTML to hydrate. (Rendering the lazy form on the server lost the request's reactive owner
/// under concurrent load: leptos_meta found no context and a disposed action panicked.)
macro_rules! route_view {
    ($route:ident => $page:path) => {
        impl $route {
            #[cfg(not(feature = "ssr"))]
            pub fn route() -> leptos_router::Lazy<Self> {
                leptos_router::Lazy::new()
            }

            #[cfg(feature = "ssr")]
            pub fn route() -> fn() -> AnyView {
                || $page().into_sync_any()
            }
        }
    };
}

/// Declares a lazy route `$route` that shows the page component `$page`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        route_view!($route => $page);

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            /// Hydrated synchronously once its code has arrived (see `settled`).
            fn view(_this: Self) -> AnyView {
                $page().into_sync_any()
            }
        }
    };
}

/// `/setup`: the wizard. Not a `lazy_page!`: the page's code and the code of the step it shows
/// (split apart, see `setup`) load together, before the page hydrates.
pub struct SetupRoute;

route_view!(SetupRoute => super::setup::SetupPage);

#[leptos::lazy]
fn setup_page() -> AnyView {
    super::setup::SetupPage().into_sync_any()
}

impl LazyRoute for SetupRoute {
    fn data() -> Self {
        Self
    }

    async fn view(_this: Self) -> AnyView {
        setup_page().await
    }

    /// On a full page load the router awaits this, then hydrates the view from one poll of
    /// `view`: the page's code and the shown step's must both be here by then, or the page
    /// hydrates as empty and fails on the server's HTML.
    async fn preload() {
        #[cfg(feature = "hydrate")]
        futures::future::join(__preload_setup_page(), super::setup::preload_shown_step()).await;
    }
}
lazy_page!(
    /// `/`: the Dashboard.
    DashboardRoute => super::dashboard::DashboardPage
);
lazy_page!(
    /// `/health`.
    HealthRoute => super::health::HealthPage
);
lazy_page!(
    /// `/settings/ssh-keys`.
    SshKeysRoute => super::keys::SshKeysPage
);
lazy_page!(
    /// `/settings/connections`.
    ConnectionsRoute => super::connections::ConnectionsPage
);
lazy_page!(
    /// `/settings/connections/:id`.
    ConnectionHealthRoute => super::health::ConnectionHealthPage
);
lazy_page!(
    /// `/settings/connections/:id/authorized-keys`.
    InventoryRoute => super::inventory::InventoryPage
);
lazy_page!(
    /// `/settings/inventory`.
    KeyInventoryRoute => super::inventory::KeyInventoryPage
);
lazy_page!(
    /// `/settings/rotations`.
    RotationsRoute => super::rotation::RotationsPage
);
lazy_page!(
    /// `/settings/rotations/:id`.
    RotationRoute => super::rotation::RotationPage
);
lazy_page!(
    /// `/settings/known-hosts`.
    KnownHostsRoute => super::hosts::KnownHostsPage
);
lazy_page!(
    /// `/settings/public-keys`.
    PublicKeysRoute => super::public_keys::PublicKeysPage
);
lazy_page!(
    /// `/settings/repositories`.
    RepositoriesRoute => super::public_keys::RepositoriesPage
);
lazy_page!(
    /// `/settings/repositories/:owner/:name`.
    RepositoryRoute => super::public_keys::RepositoryPage
);
lazy_page!(
    /// `/settings/users`.
    UsersRoute => super::accounts::UsersPage
);
lazy_page!(
    /// `/settings/tokens`.
    TokensRoute => super::accounts::TokensPage
);
lazy_page!(
    /// `/settings/alerts`.
    AlertsRoute => super::alerts::AlertsPage
);
lazy_page!(
    /// `/settings/audit`.
    AuditRoute => super::audit::AuditPage
);
