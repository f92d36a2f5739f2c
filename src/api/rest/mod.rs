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

use crate::server::state::AppState;
use axum::Router;
use axum::routing::{get, post, put};

pub use body::{ApiJson, ApiPath};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/setup", post(setup::create_first_admin).get(setup::status))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/me", get(auth::me))
        .route("/api/users", get(users::list).post(users::create))
        .route("/api/users/{id}", put(users::update).delete(users::delete).get(users::get_one))
        .route("/api/tokens", get(tokens::list).post(tokens::create))
        .route("/api/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/api/audit", get(audit::list))
        .route("/api/ssh-keys", get(ssh_keys::list).post(ssh_keys::create_named))
        .route("/api/ssh-keys/system-key", get(ssh_keys::system_key))
        .route("/api/ssh-keys/connections", get(connections::list).post(connections::create))
        .route("/api/ssh-keys/connections/{id}", put(connections::update).delete(connections::delete))
        .route("/api/ssh-keys/connections/{id}/test", post(connection_actions::test))
        .route("/api/ssh-keys/connections/{id}/progress", get(connection_actions::progress))
        .route("/api/ssh-keys/connections/{id}/refresh-storage", post(connection_actions::refresh_storage))
        .route("/api/ssh-keys/connections/{id}/redeploy", post(connection_actions::redeploy))
        .route("/api/ssh-keys/quick-setup", post(connection_actions::quick_setup))
        .route("/api/ssh-keys/generate", post(ssh_keys::generate_system))
        .route("/api/ssh-keys/import", post(ssh_keys::import_system))
        .route("/api/ssh-keys/{id}", get(ssh_keys::get_one).put(ssh_keys::update).delete(ssh_keys::delete))
        .route("/api/ssh-keys/{id}/public-key", get(ssh_keys::public_key))
        .route("/api/known-hosts", get(known_hosts::list).post(known_hosts::trust))
        .route("/api/known-hosts/scan", post(known_hosts::scan))
        .route("/api/known-hosts/export", get(known_hosts::export))
        .route("/api/known-hosts/import", post(known_hosts::import))
        .route("/api/known-hosts/{id}/replace", post(known_hosts::replace))
        .route("/api/known-hosts/{id}", axum::routing::delete(known_hosts::remove))
        .route("/settings/ssh-keys/upload", post(key_upload::upload))
        .route("/api/{*rest}", axum::routing::any(not_found))
        .merge(github::routes())
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound("No such API route.".into())
}
