//! Thin adapters between the web and the services: Leptos server functions (one file per page area)
//! and, under `rest/`, the axum handlers of the REST API. Each takes the caller, calls a service and
//! turns its error into `AppError`.

pub mod audit;
pub mod auth;
pub mod connections;
pub mod known_hosts;
pub mod public_keys;
pub mod repositories;
pub mod setup;
pub mod ssh_keys;
pub mod tokens;
pub mod users;

#[cfg(feature = "ssr")]
pub mod rest;
