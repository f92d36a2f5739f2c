//! Borg UI's connection actions: test, refresh storage, redeploy, quick setup. Admin only: each
//! logs in to a remote host. A failed test is a 200 with `success: false` (the request worked, the
//! host did not); a failed deploy is an error status whose body also carries the stages.

use crate::api::rest::ApiJson;
use crate::api::rest::ApiPath;
use crate::error::AppError;
use crate::server::auth::Authed;
use crate::server::services::connections::{self, DeployFailure};
use crate::server::services::hosts::HostNotTrusted;
use crate::server::services::remote::connection_key;
use crate::server::services::setup::{self, QuickSetup, QuickSetupError};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

pub async fn test(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    let report =
        connections::test(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), id).await?;
    let (message, status) = if report.connected {
        ("Connection tested successfully", "connected")
    } else {
        ("Connection test failed", "failed")
    };
    Ok(Json(json!({
        "success": report.connected, "message": message, "status": status,
        "error": report.error, "note": report.note, "stages": report.stages,
    })))
}

pub async fn refresh_storage(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    connections::refresh_storage(&state.db, &state.changes, &state.ssh, &state.master_key, id).await?;
    let connection = connections::get_view(&state.db, id).await?;
    Ok(Json(json!({
        "success": true, "message": "Storage information refreshed successfully", "storage": connection.storage,
    })))
}

/// `POST …/connections/{id}/verify-borg`: Borg UI's shape, `installed` null when the account
/// cannot run a command to tell (a forced `borg serve`, SFTP only).
pub async fn verify_borg(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    let check = connections::verify_borg(&state.db, &state.ssh, &state.master_key, id).await?;
    Ok(Json(json!({
        "success": check.installed == Some(true), "installed": check.installed, "version": check.version,
        "path": check.path, "error": check.error, "last_check": chrono::Utc::now().to_rfc3339(),
    })))
}

/// `GET …/connections/{id}/progress`: the stages of the operation running on the connection (or
/// the last one, for a few minutes), for clients that show progress while they wait.
pub async fn progress(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    let progress = state.ssh.progress.get(&connection_key(id));
    Ok(Json(json!({ "success": true, "running": progress.running, "stages": progress.stages })))
}

/// An error answer that also shows how far the deploy got.
fn deploy_failure(failure: DeployFailure) -> Response {
    let stages = failure.stages;
    let error = AppError::from(failure.error);
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::BAD_GATEWAY);
    let body = json!({ "success": false, "detail": error.to_string(), "field": error.field(), "stages": stages });
    (status, Json(body)).into_response()
}

/// 409 with what the host offers, so the client can check a fingerprint and trust one (or pin it).
pub fn host_not_trusted(why: HostNotTrusted) -> Response {
    let HostNotTrusted { detail, scan } = why;
    let body = json!({ "success": false, "detail": detail, "field": "host", "host_key_status": scan.status,
        "keys": scan.keys, "trusted": scan.trusted });
    (StatusCode::CONFLICT, Json(body)).into_response()
}

#[derive(Deserialize)]
pub struct PasswordBody {
    #[serde(default)]
    password: String,
}

pub async fn redeploy(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Response, AppError> {
    let password = Zeroizing::new(body.password);
    let outcome =
        connections::redeploy(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), id, &password)
            .await;
    let report = match outcome {
        Ok(report) => report,
        Err(failure) => return Ok(deploy_failure(failure)),
    };
    let message =
        if report.already_installed { "SSH key is already installed" } else { "SSH key deployed successfully" };
    let connection = connections::get_view(&state.db, id).await?;
    Ok(Json(json!({
        "success": true, "message": message, "already_installed": report.already_installed,
        "warnings": report.warnings, "stages": report.stages, "connection": connection,
    }))
    .into_response())
}

fn default_key_type() -> String {
    "ed25519".into()
}
fn default_port() -> i64 {
    22
}
fn default_true() -> bool {
    true
}

#[derive(Deserialize)]
pub struct QuickSetupBody {
    #[serde(default)]
    name: String,
    #[serde(default = "default_key_type")]
    key_type: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    username: String,
    #[serde(default = "default_port")]
    port: i64,
    #[serde(default)]
    password: String,
    #[serde(default)]
    skip_deployment: bool,
    #[serde(default = "default_true")]
    use_sftp_mode: bool,
    #[serde(default)]
    host_key_fingerprint: Option<String>,
}

pub async fn quick_setup(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<QuickSetupBody>,
) -> Result<Response, AppError> {
    let password = Zeroizing::new(body.password);
    let request = QuickSetup {
        name: &body.name,
        key_type: &body.key_type,
        host: &body.host,
        username: &body.username,
        port: body.port,
        password: &password,
        skip_deployment: body.skip_deployment,
        use_sftp_mode: body.use_sftp_mode,
        host_key_fingerprint: body.host_key_fingerprint.as_deref(),
    };
    let done =
        match setup::quick_setup(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), request)
            .await
        {
            Ok(done) => done,
            Err(QuickSetupError::Failed(failure)) => return Ok(deploy_failure(failure)),
            Err(QuickSetupError::HostNotTrusted(why)) => return Ok(host_not_trusted(why)),
        };
    let message = match &done.deploy {
        None => "SSH key generated; deployment skipped",
        Some(_) => "SSH key generated and deployed successfully",
    };
    let (key, c) = (&done.key, &done.connection);
    Ok(Json(json!({
        "success": true, "message": message,
        "ssh_key": { "id": key.id, "name": key.name, "key_type": key.key_type, "public_key": key.public_key },
        "connection": { "id": c.id, "host": c.host, "username": c.username, "port": c.port, "status": c.status },
        "warnings": done.deploy.as_ref().map(|d| d.warnings.clone()).unwrap_or_default(),
    }))
    .into_response())
}
