//! Keyhaven: a self-hosted manager for SSH keys and SSH connections.
//!
//! `app`, `pages` and `components` are the UI and compile for the browser too; `api` holds the
//! server functions and REST handlers; `server` (the `ssr` feature only) is the domain.

#![recursion_limit = "256"]
// Outside tests, every failure is handled: no unwrap or expect.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: hydrates the server-rendered page, then marks it interactive.
///
/// What `leptos::mount::hydrate_lazy` does (a page that is a lazy route loads its chunk before it
/// hydrates), plus `data-hydrated` on `<html>` once every part of the page is live: until then a
/// form still posts the plain way, and end-to-end tests wait for the mark before they use a page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // An error only means the executor is already running.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let page = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        page.forget();
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            _ = root.set_attribute("data-hydrated", "");
        }
    });
}
