//! `GET /api/ssh-keys/connections/{id}/checks`: the connection's check history, newest first,
//! paged with `page` (from 1) and `per_page` (default 50, at most 200).

use crate::api::rest::{ApiPath, page_params};
use crate::error::AppError;
use crate::server::entities::connection_check;
use crate::server::services::{connections, rfc3339};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

const DEFAULT_PER_PAGE: u64 = 50;
const MAX_PER_PAGE: u64 = 200;

fn check_json(check: &connection_check::Model) -> Value {
    let stages: Value = serde_json::from_str(&check.stages).unwrap_or_else(|_| json!([]));
    json!({
        "id": check.id, "checked_at": rfc3339(&check.checked_at), "trigger": check.trigger,
        "healthy": check.healthy, "reason": check.reason, "stage": check.stage, "message": check.message,
        "duration_ms": check.duration_ms, "stages": stages,
        "storage_used": check.storage_used, "storage_total": check.storage_total,
    })
}

pub async fn checks(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i32>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, AppError> {
    let (per_page, page) = page_params(query.as_deref(), DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    connections::get(&state.db, id).await?;
    let found = connections::checks(&state.db, id, per_page, page).await?;
    Ok(Json(json!({
        "success": true,
        "checks": found.rows.iter().map(check_json).collect::<Vec<_>>(),
        "total": found.total, "page": found.page, "pages": found.pages, "per_page": per_page,
    })))
}
