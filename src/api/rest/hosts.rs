//! `/api/known-hosts…`: scan a host, trust one of the keys it offers, list, remove and export.
//! Scanning reaches out to any address, so it is for admins like every change; viewers may read.

use super::ApiJson;
use super::ApiPath;
use crate::api::rest::{CHANGE, CONNECT, READ, deny};
use crate::error::AppError;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::services::hosts;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct ScanBody {
    host: String,
    port: Option<i64>,
}

/// `POST /api/known-hosts/scan` `{host, port}` → `{status, keys, trusted}`.
pub async fn scan(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ScanBody>,
) -> Result<Json<crate::model::ScanResult>, AppError> {
    Ok(Json(hosts::scan_host(&state.db, &state.ssh, &body.host, body.port.unwrap_or(22)).await?))
}

#[derive(Deserialize)]
pub struct TrustBody {
    host: String,
    port: Option<i64>,
    public_key: String,
}

/// `POST /api/known-hosts` `{host, port, public_key}`: 201; the key must be one the host offers now.
pub async fn trust(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<TrustBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let port = body.port.unwrap_or(22);
    let row = hosts::trust(&state.db, &state.changes, &state.ssh, &caller.actor(), &body.host, port, &body.public_key)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "success": true, "known_host": hosts::to_view(&row) }))))
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let rows = hosts::list(&state.db).await?;
    let views: Vec<_> = rows.iter().map(hosts::to_view).collect();
    Ok(Json(json!({ "success": true, "known_hosts": views })))
}

pub async fn remove(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    hosts::remove(&state.db, &state.changes, &caller.actor(), id).await?;
    Ok(Json(json!({ "success": true, "message": "Known host removed" })))
}

#[derive(Deserialize)]
pub struct ReplaceBody {
    public_key: String,
}

/// `POST /api/known-hosts/{id}/replace` `{public_key}`: after a "host key CHANGED" warning, trust the
/// key the host offers now instead of every key trusted for it; answers the old keys and the new.
pub async fn replace(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<ReplaceBody>,
) -> Result<Json<Value>, AppError> {
    let (old, new) =
        hosts::replace(&state.db, &state.changes, &state.ssh, &caller.actor(), id, &body.public_key).await?;
    let old: Vec<_> = old.iter().map(hosts::to_view).collect();
    Ok(Json(json!({ "success": true, "replaced": old, "known_host": hosts::to_view(&new) })))
}

#[derive(Deserialize)]
pub struct ImportBody {
    known_hosts: String,
    #[serde(default)]
    hosts: Vec<String>,
}

/// `POST /api/known-hosts/import` `{known_hosts, hosts?}` → `{success, imported, already_trusted, skipped}`.
pub async fn import(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<ImportBody>,
) -> Result<Json<Value>, AppError> {
    let report = hosts::import(&state.db, &state.changes, &caller.actor(), &body.known_hosts, &body.hosts).await?;
    Ok(Json(
        json!({ "success": true, "imported": report.imported, "already_trusted": report.already_trusted, "skipped": report.skipped }),
    ))
}

/// `GET /api/known-hosts/export`: OpenSSH known_hosts text.
pub async fn export(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let text = hosts::export(&hosts::list(&state.db).await?);
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .get("/api/known-hosts", READ, list)
        .post("/api/known-hosts", CHANGE, trust)
        .post("/api/known-hosts/scan", CONNECT, scan)
        .get("/api/known-hosts/export", READ, export)
        .post("/api/known-hosts/import", CHANGE, import)
        .post("/api/known-hosts/{id}/replace", CHANGE, replace)
        .delete("/api/known-hosts/{id}", CHANGE, remove)
}
