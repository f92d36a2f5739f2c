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

/// Browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: a page that is a lazy route loads its chunk before it hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
