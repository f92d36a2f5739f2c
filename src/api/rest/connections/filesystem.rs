//! Borg UI's remote path picker for SSH connections: `GET /api/filesystem/browse`,
//! `POST /api/filesystem/validate-path`, `POST /api/filesystem/create-folder`. The connection is
//! named as Borg UI names it (`ssh_key_id`, `host`, `username`, `port`) or by `connection_id`.
//! Keyhaven does not browse its own disk: `connection_type` other than `ssh` is refused.

use crate::api::rest::ApiJson;
use crate::error::AppError;
use crate::server::error::ServiceError;
use crate::server::services::connections::{self, BrowseItem};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// Every parameter as text, so that a bad one is a 422 naming it (not the extractor's 400).
#[derive(Default, Deserialize)]
pub struct Where {
    path: Option<String>,
    connection_type: Option<String>,
    connection_id: Option<String>,
    ssh_key_id: Option<String>,
    host: Option<String>,
    username: Option<String>,
    port: Option<String>,
    folder_name: Option<String>,
}

fn number<T: std::str::FromStr>(field: &'static str, raw: &Option<String>) -> Result<Option<T>, ServiceError> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ServiceError::invalid(field, format!("{field} must be a number."))),
    }
}

impl Where {
    /// The query string's values, overridden by the body's where both are given.
    fn merged(self, body: Where) -> Where {
        Where {
            path: body.path.or(self.path),
            connection_type: body.connection_type.or(self.connection_type),
            connection_id: body.connection_id.or(self.connection_id),
            ssh_key_id: body.ssh_key_id.or(self.ssh_key_id),
            host: body.host.or(self.host),
            username: body.username.or(self.username),
            port: body.port.or(self.port),
            folder_name: body.folder_name.or(self.folder_name),
        }
    }

    async fn connection(&self, state: &AppState) -> Result<i32, ServiceError> {
        if let Some(kind) = self.connection_type.as_deref().filter(|k| !k.is_empty() && *k != "ssh") {
            return Err(ServiceError::invalid(
                "connection_type",
                format!("Keyhaven browses SSH connections only, not {kind:?}."),
            ));
        }
        if let Some(id) = number::<i32>("connection_id", &self.connection_id)? {
            return Ok(id);
        }
        let host = self.host.as_deref().unwrap_or_default();
        let username = self.username.as_deref().unwrap_or_default();
        let port = number::<i64>("port", &self.port)?.unwrap_or(22);
        let key = number::<i32>("ssh_key_id", &self.ssh_key_id)?;
        connections::find_connection(&state.db, key, host, username, port).await
    }
}

fn item(i: &BrowseItem) -> Value {
    json!({
        "name": i.name, "path": i.path, "is_directory": i.is_directory, "size": i.size,
        "modified": i.modified, "is_borg_repo": i.is_borg_repo, "is_local_mount": false,
        "permissions": i.permissions,
    })
}

pub async fn browse(State(state): State<AppState>, Query(q): Query<Where>) -> Result<Json<Value>, AppError> {
    let id = q.connection(&state).await?;
    let path = q.path.unwrap_or_default();
    let listing = connections::browse(&state.db, &state.ssh, &state.master_key, id, &path).await?;
    Ok(Json(json!({
        "current_path": listing.current_path, "parent_path": listing.parent_path,
        "is_inside_local_mount": false, "truncated": listing.truncated,
        "items": listing.items.iter().map(item).collect::<Vec<_>>(),
    })))
}

pub async fn validate_path(State(state): State<AppState>, Query(q): Query<Where>) -> Result<Json<Value>, AppError> {
    let id = q.connection(&state).await?;
    let path = q.path.unwrap_or_default();
    let check = connections::check_path(&state.db, &state.ssh, &state.master_key, id, &path).await?;
    Ok(Json(json!({
        "path": check.path, "exists": check.exists, "is_directory": check.is_directory,
        "is_borg_repo": check.is_borg_repo,
    })))
}

#[derive(Deserialize)]
pub struct FolderBody {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    folder_name: Option<String>,
    #[serde(default)]
    connection_type: Option<String>,
    #[serde(default)]
    connection_id: Option<serde_json::Value>,
    #[serde(default)]
    ssh_key_id: Option<serde_json::Value>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    port: Option<serde_json::Value>,
}

/// A JSON number or string, as text.
fn text(v: Option<Value>) -> Option<String> {
    v.map(|v| match v {
        Value::String(s) => s,
        other => other.to_string(),
    })
}

pub async fn create_folder(
    State(state): State<AppState>,
    Query(q): Query<Where>,
    ApiJson(body): ApiJson<FolderBody>,
) -> Result<Json<Value>, AppError> {
    let body = Where {
        path: body.path,
        folder_name: body.folder_name,
        connection_type: body.connection_type,
        connection_id: text(body.connection_id),
        ssh_key_id: text(body.ssh_key_id),
        host: body.host,
        username: body.username,
        port: text(body.port),
    };
    let q = q.merged(body);
    let id = q.connection(&state).await?;
    let (path, name) = (q.path.unwrap_or_default(), q.folder_name.unwrap_or_default());
    match connections::create_folder(&state.db, &state.ssh, &state.master_key, id, &path, &name).await {
        Ok(created) => Ok(Json(json!({ "success": true, "path": created, "message": "Folder created" }))),
        // Borg UI answers an existing folder with 400.
        Err(ServiceError::Conflict { field, message }) => {
            Err(AppError::BadRequest { field: Some(field.to_string()), message })
        }
        Err(other) => Err(other.into()),
    }
}
