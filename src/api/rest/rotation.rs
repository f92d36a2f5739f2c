//! The rotation domain over REST: `POST /api/ssh-keys/{id}/rotate` starts rotating a managed key
//! (202 with the job; `dry_run: true` only looks), `GET /api/ssh-keys/rotations` lists rotations,
//! and `GET /api/ssh-keys/rotations/{id}` shows one with the state of every connection (poll it to
//! watch the progress).

use crate::api::rest::{ApiJson, ApiPath, CONNECT, READ, deny};
use crate::error::AppError;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::services::rotation::{self, StartRotation};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

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

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .post("/api/ssh-keys/{id}/rotate", CONNECT, rotate)
        .get("/api/ssh-keys/rotations", READ, list)
        .get("/api/ssh-keys/rotations/{id}", READ, get_one)
}
