//! The REST API under `/api/`, for scripts and other tools. Every route authenticates with a
//! session or a bearer token; token callers need the `admin` scope for this management API.

mod audit;
mod auth;
mod body;
mod connection_actions;
mod connections;
pub mod github;
mod key_upload;
mod known_hosts;
mod setup;
mod ssh_keys;
mod tokens;
mod users;

use crate::model::Scope;
use crate::server::access::{Access, GuardedRoutes};
use crate::server::state::AppState;
use axum::response::{IntoResponse, Response};

pub use body::{ApiJson, ApiPath};

/// Reads of the management API: any signed-in user; a token needs the `admin` scope.
const READ: Access = Access::signed_in(Scope::Admin);
/// Changes through the management API: the admin role; a token needs the `admin` scope too.
const CHANGE: Access = Access::admin(Scope::Admin);
/// Changes that make Keyhaven connect to a host (counted against the caller's SSH allowance).
const CONNECT: Access = CHANGE.connects();

fn deny(err: crate::error::AppError) -> Response {
    err.into_response()
}

/// Every REST route with its rule (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .get("/api/setup", Access::ANYONE, setup::status)
        .post("/api/setup", Access::ANYONE, setup::create_first_admin)
        .post("/api/auth/login", Access::ANYONE, auth::login)
        .get("/api/auth/me", Access::SIGNED_IN_ANY_SCOPE, auth::me)
        .get("/api/users", READ, users::list)
        .post("/api/users", CHANGE, users::create)
        .get("/api/users/{id}", READ, users::get_one)
        .put("/api/users/{id}", CHANGE, users::update)
        .delete("/api/users/{id}", CHANGE, users::delete)
        .get("/api/tokens", READ, tokens::list)
        .post("/api/tokens", READ, tokens::create)
        .delete("/api/tokens/{id}", READ, tokens::revoke)
        .get("/api/audit", CHANGE, audit::list)
        .get("/api/ssh-keys", READ, ssh_keys::list)
        .post("/api/ssh-keys", CHANGE, ssh_keys::create_named)
        .get("/api/ssh-keys/system-key", READ, ssh_keys::system_key)
        .get("/api/ssh-keys/connections", READ, connections::list)
        .post("/api/ssh-keys/connections", CHANGE, connections::create)
        .put("/api/ssh-keys/connections/{id}", CHANGE, connections::update)
        .delete("/api/ssh-keys/connections/{id}", CHANGE, connections::delete)
        .post("/api/ssh-keys/connections/{id}/test", CONNECT, connection_actions::test)
        .get("/api/ssh-keys/connections/{id}/progress", CHANGE, connection_actions::progress)
        .post("/api/ssh-keys/connections/{id}/refresh-storage", CONNECT, connection_actions::refresh_storage)
        .post("/api/ssh-keys/connections/{id}/redeploy", CONNECT, connection_actions::redeploy)
        .post("/api/ssh-keys/quick-setup", CONNECT, connection_actions::quick_setup)
        .post("/api/ssh-keys/generate", CHANGE, ssh_keys::generate_system)
        .post("/api/ssh-keys/import", CHANGE, ssh_keys::import_system)
        .get("/api/ssh-keys/{id}", READ, ssh_keys::get_one)
        .put("/api/ssh-keys/{id}", CHANGE, ssh_keys::update)
        .delete("/api/ssh-keys/{id}", CHANGE, ssh_keys::delete)
        .get("/api/ssh-keys/{id}/public-key", READ, ssh_keys::public_key)
        .get("/api/known-hosts", READ, known_hosts::list)
        .post("/api/known-hosts", CHANGE, known_hosts::trust)
        .post("/api/known-hosts/scan", CONNECT, known_hosts::scan)
        .get("/api/known-hosts/export", READ, known_hosts::export)
        .post("/api/known-hosts/import", CHANGE, known_hosts::import)
        .post("/api/known-hosts/{id}/replace", CHANGE, known_hosts::replace)
        .delete("/api/known-hosts/{id}", CHANGE, known_hosts::remove)
        .merge(key_upload::routes(state))
        .any("/api/{*rest}", Access::ANYONE, not_found)
        .merge(github::routes(state))
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound("No such API route.".into())
}
