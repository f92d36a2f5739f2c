//! Thin adapters between the web and the services: Leptos server functions (one file per page area)
//! and, under `rest/`, the axum handlers of the REST API. Each takes the caller, calls a service and
//! turns its error into `AppError`.

pub mod accounts;
pub mod alerts;
pub mod audit;
pub mod connections;
pub mod health;
pub mod hosts;
pub mod inventory;
pub mod keys;
pub mod public_keys;
pub mod rotation;
pub mod setup;

#[cfg(feature = "ssr")]
pub mod rest;
