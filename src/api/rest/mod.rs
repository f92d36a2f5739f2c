//! The REST API under `/api/`, for scripts and other tools. Every route authenticates with a
//! session or a bearer token; token callers need the `admin` scope for this management API.

mod accounts;
mod alerts;
mod audit;
mod body;
mod connections;
mod health;
mod hosts;
mod inventory;
mod keys;
pub mod public_keys;
mod query;
mod rotation;
mod setup;

use crate::model::Scope;
use crate::server::access::{Access, GuardedRoutes};
use crate::server::state::AppState;
use axum::response::{IntoResponse, Response};

pub use body::{ApiJson, ApiPath};
pub(crate) use query::page_params;

/// Reads of the management API: any signed-in user; a token needs the `admin` scope.
pub(crate) const READ: Access = Access::signed_in(Scope::Admin);
/// Changes through the management API: the admin role; a token needs the `admin` scope too.
pub(crate) const CHANGE: Access = Access::admin(Scope::Admin);
/// Changes that make Keyhaven connect to a host (counted against the caller's SSH allowance).
pub(crate) const CONNECT: Access = CHANGE.connects();

pub(crate) fn deny(err: crate::error::AppError) -> Response {
    err.into_response()
}

/// Every REST route with its rule (see `docs/authorization.md`): each domain lists its own routes, so
/// a new route touches only its domain's file.
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .merge(setup::routes(state))
        .merge(accounts::routes(state))
        .merge(audit::routes(state))
        .merge(keys::routes(state))
        .merge(connections::routes(state))
        .merge(hosts::routes(state))
        .merge(health::routes(state))
        .merge(alerts::routes(state))
        .merge(inventory::routes(state))
        .merge(rotation::routes(state))
        .any("/api/{*rest}", Access::ANYONE, not_found)
        .merge(public_keys::routes(state))
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound("No such API route.".into())
}
