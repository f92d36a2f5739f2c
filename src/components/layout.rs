//! The frame of every signed-in page: header, navigation, the signed-in user and sign-out.

use crate::api::accounts::{Logout, current_user};
use crate::components::form_action::FormAction;
use crate::components::page_resource::{PageResource, page_resource};
use crate::components::post_form::PostForm;
use crate::error::AppError;
use crate::model::Me;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

/// The signed-in user, loaded once per page by the layout and shared with the pages inside it.
pub type MeResource = PageResource<Result<Option<Me>, AppError>>;

/// Whether the signed-in user is an admin (false while loading or signed out). A memo: a page
/// reads it once per row, and the signed-in user is neither cloned nor looked at again for that.
pub fn is_admin(me: MeResource) -> AdminFlag {
    AdminFlag(Memo::new(move |_| me.try_with(|me| matches!(me, Some(Ok(Some(m))) if m.is_admin())).unwrap_or(false)))
}

/// The signed-in user's admin flag, read by pages and rows.
#[derive(Clone, Copy)]
pub struct AdminFlag(Memo<bool>);

impl AdminFlag {
    /// The flag, tracked like `Signal::get`, and `false` once the page is gone. A client that
    /// leaves mid-render makes the server drop the page on one thread while a `Transition`'s
    /// content may still be rendering on another; a plain `get` panics there.
    pub fn get(self) -> bool {
        self.0.try_get().unwrap_or(false)
    }
}

/// The settings navigation: each page's path and name (also its title and heading).
pub const NAV: [(&str, &str); 13] = [
    ("/", "Dashboard"),
    ("/health", "Health"),
    ("/settings/ssh-keys", "SSH keys"),
    ("/settings/connections", "Connections"),
    ("/settings/known-hosts", "Known hosts"),
    ("/settings/inventory", "Key inventory"),
    ("/settings/rotations", "Key rotations"),
    ("/settings/public-keys", "My public keys"),
    ("/settings/repositories", "Repositories"),
    ("/settings/users", "Users"),
    ("/settings/tokens", "API tokens"),
    ("/settings/alerts", "Alerts"),
    ("/settings/audit", "Audit log"),
];

#[component]
pub fn Layout() -> impl IntoView {
    let me_resource: MeResource = page_resource(|| (), |_| current_user());
    provide_context(me_resource);
    let logout = FormAction::<Logout>::new();
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true"></span>
                "Keyhaven"
            </a>
            <Transition fallback=|| ()>
                {move || {
                    me_resource
                        .get()
                        .and_then(Result::ok)
                        .flatten()
                        .map(|user| {
                            view! {
                                <div class="whoami">
                                    <span>
                                        {user.username.clone()} " " <span class="badge">{user.role.as_str()}</span>
                                    </span>
                                    <PostForm action=logout attr:class="inline-form">
                                        <button type="submit" class="btn btn-quiet">
                                            "Sign out"
                                        </button>
                                    </PostForm>
                                </div>
                            }
                        })
                }}
            </Transition>
        </header>
        <div class="frame">
            <nav class="sidenav" aria-label="Settings">
                <ul>
                    {NAV
                        .into_iter()
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <A href=href exact=true>
                                        {label}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <Outlet />
            </main>
        </div>
    }
}
