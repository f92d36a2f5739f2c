//! `/api/ssh-keys/connections…`: Borg UI's connection endpoints. Viewers read; admins change. On
//! update an explicit `null` clears an optional field and a missing field stays as it is.

mod actions;
mod by_key;
mod checks;
mod diagnostics;
mod filesystem;

use super::ApiJson;
use super::ApiPath;
use crate::api::rest::{CHANGE, CONNECT, READ, deny};
use crate::error::AppError;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::error::ServiceError;
use crate::server::services::connections::{self, ConnectionFields};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

/// Tells a field sent as `null` (`Some(None)`) from a field not sent (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
pub struct ConnectionBody {
    #[serde(default, deserialize_with = "present")]
    host: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    username: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    port: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    ssh_key_id: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    use_sftp_mode: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    use_sudo: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    default_path: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    ssh_path_prefix: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    mount_point: Option<Option<String>>,
}

impl From<ConnectionBody> for ConnectionFields {
    fn from(b: ConnectionBody) -> Self {
        ConnectionFields {
            host: b.host.into(),
            username: b.username.into(),
            port: b.port.into(),
            ssh_key_id: b.ssh_key_id.into(),
            use_sftp_mode: b.use_sftp_mode.into(),
            use_sudo: b.use_sudo.into(),
            default_path: b.default_path.into(),
            ssh_path_prefix: b.ssh_path_prefix.into(),
            mount_point: b.mount_point.into(),
        }
    }
}

#[derive(Serialize)]
struct ListAnswer {
    success: bool,
    connections: Vec<crate::model::ConnectionView>,
}

/// The whole list, which Borg UI's frontend polls: kept ready between changes (see
/// `services::ready_answers`), so a poll costs no query while nothing changed.
pub async fn list(State(state): State<AppState>) -> Result<Response, AppError> {
    let body = state
        .ready
        .get_or_build("connections.list", &state.changes, || async {
            let connections = connections::list(&state.db).await?;
            serde_json::to_vec(&ListAnswer { success: true, connections })
                .map(Bytes::from)
                .map_err(|e| ServiceError::Internal(format!("connection list: {e}")))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<ConnectionBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let connection = connections::create_view(&state.db, &state.changes, &caller.actor(), &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "message": "Connection created", "connection": connection })),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<ConnectionBody>,
) -> Result<Json<Value>, AppError> {
    connections::update(&state.db, &state.changes, &caller.actor(), id, &body.into()).await?;
    let connection = connections::get_view(&state.db, id).await?;
    Ok(Json(json!({ "success": true, "message": "Connection updated", "connection": connection })))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    connections::delete(&state.db, &state.changes, &caller.actor(), id).await?;
    Ok(Json(json!({ "success": true, "message": "Connection deleted" })))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .with_trailing_slash()
        .get("/api/ssh-keys/connections", READ, list)
        .post("/api/ssh-keys/connections", CHANGE, create)
        .put("/api/ssh-keys/connections/{id}", CHANGE, update)
        .delete("/api/ssh-keys/connections/{id}", CHANGE, delete)
        .post("/api/ssh-keys/connections/{id}/test", CONNECT, actions::test)
        .get("/api/ssh-keys/connections/{id}/progress", CHANGE, actions::progress)
        .get("/api/ssh-keys/connections/{id}/checks", READ, checks::checks)
        .post("/api/ssh-keys/connections/{id}/refresh-storage", CONNECT, actions::refresh_storage)
        .post("/api/ssh-keys/connections/{id}/redeploy", CONNECT, actions::redeploy)
        .post("/api/ssh-keys/connections/{id}/verify-borg", CONNECT, actions::verify_borg)
        .post("/api/ssh-keys/connections/{id}/diagnostics", CONNECT, diagnostics::diagnostics)
        .get("/api/filesystem/browse", CONNECT, filesystem::browse)
        .post("/api/filesystem/validate-path", CONNECT, filesystem::validate_path)
        .post("/api/filesystem/create-folder", CONNECT, filesystem::create_folder)
        .post("/api/ssh-keys/quick-setup", CONNECT, actions::quick_setup)
        .post("/api/ssh-keys/{id}/deploy", CONNECT, by_key::deploy)
        .post("/api/ssh-keys/{id}/test-connection", CONNECT, by_key::test_connection)
}
