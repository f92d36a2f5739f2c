//! The rotation domain over REST: `POST /api/ssh-keys/{id}/rotate` starts rotating a managed key
//! (202 with the job; `dry_run: true` only looks), `GET /api/ssh-keys/rotations` lists rotations,
//! `GET /api/ssh-keys/rotations/{id}` shows one with the state of every connection (poll it to
//! watch the progress), its actions (retry, rollback, retire, and per connection skip or deploy
//! with a one-time password) and its report as JSON or CSV.

use crate::api::rest::{ApiJson, ApiPath, CHANGE, CONNECT, READ, deny};
use crate::error::AppError;
use crate::model::RotationView;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::services::rotation::{self, StartRotation};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    key_type: Option<String>,
    #[serde(default)]
    bits: Option<u32>,
}

/// `POST /api/ssh-keys/{id}/rotate`: 202, the job as it starts; it runs on after the answer.
pub async fn rotate(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<RotateBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let request = StartRotation { dry_run: body.dry_run, key_type: body.key_type, bits: body.bits };
    let view = rotation::start(&state.rotator(), &caller.actor(), id, request).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"success": true, "rotation": view}))))
}

/// `GET /api/ssh-keys/rotations`: every rotation, newest first, without the hosts.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let rotations = rotation::list(&state.db).await?;
    Ok(Json(json!({"success": true, "total": rotations.len(), "rotations": rotations})))
}

/// `GET /api/ssh-keys/rotations/{id}`: one rotation with the state of every connection.
pub async fn get_one(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    let view = rotation::view(&state.db, id).await?;
    Ok(Json(json!({"success": true, "rotation": view})))
}

fn answer(view: RotationView) -> Json<Value> {
    Json(json!({"success": true, "rotation": view}))
}

/// `POST /api/ssh-keys/rotations/{id}/retry`: the failed connections go on from where they stopped.
pub async fn retry(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    Ok(answer(rotation::retry(&state.rotator(), &caller.actor(), id).await?))
}

/// `POST /api/ssh-keys/rotations/{id}/rollback`: every connection back to the old key.
pub async fn roll_back(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    Ok(answer(rotation::roll_back(&state.rotator(), &caller.actor(), id).await?))
}

/// `POST /api/ssh-keys/rotations/{id}/retire`: retire the old key now, moved or not.
pub async fn retire(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    Ok(answer(rotation::retire(&state.rotator(), &caller.actor(), id).await?))
}

/// `POST /api/ssh-keys/rotations/{id}/connections/{connection_id}/skip`.
pub async fn skip(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath((id, connection_id)): ApiPath<(i32, i32)>,
) -> Result<Json<Value>, AppError> {
    Ok(answer(rotation::skip(&state.rotator(), &caller.actor(), id, connection_id).await?))
}

#[derive(Deserialize)]
pub struct PasswordBody {
    #[serde(default)]
    password: String,
}

/// `POST /api/ssh-keys/rotations/{id}/connections/{connection_id}/deploy` with `{"password": …}`.
pub async fn deploy(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath((id, connection_id)): ApiPath<(i32, i32)>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Json<Value>, AppError> {
    let password = Zeroizing::new(body.password);
    let ctx = state.rotator();
    Ok(answer(rotation::deploy_with_password(&ctx, &caller.actor(), id, connection_id, &password).await?))
}

/// `GET /api/ssh-keys/rotations/{id}/report.json`: the report as a download.
pub async fn report_json(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Response, AppError> {
    let view = rotation::view(&state.db, id).await?;
    let body = serde_json::to_vec_pretty(&view).map_err(|e| AppError::Internal(format!("report: {e}")))?;
    Ok(download(id, "json", "application/json", body))
}

/// `GET /api/ssh-keys/rotations/{id}/report.csv`: one row per connection.
pub async fn report_csv(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Response, AppError> {
    let view = rotation::view(&state.db, id).await?;
    Ok(download(id, "csv", "text/csv; charset=utf-8", rotation::csv(&view)?))
}

fn download(id: i32, extension: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"keyhaven-rotation-{id}.{extension}\"");
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .post("/api/ssh-keys/{id}/rotate", CONNECT, rotate)
        .get("/api/ssh-keys/rotations", READ, list)
        .get("/api/ssh-keys/rotations/{id}", READ, get_one)
        .post("/api/ssh-keys/rotations/{id}/retry", CONNECT, retry)
        .post("/api/ssh-keys/rotations/{id}/rollback", CONNECT, roll_back)
        .post("/api/ssh-keys/rotations/{id}/retire", CHANGE, retire)
        .post("/api/ssh-keys/rotations/{id}/connections/{connection_id}/skip", CHANGE, skip)
        .post("/api/ssh-keys/rotations/{id}/connections/{connection_id}/deploy", CONNECT, deploy)
        .get("/api/ssh-keys/rotations/{id}/report.json", READ, report_json)
        .get("/api/ssh-keys/rotations/{id}/report.csv", READ, report_csv)
}
