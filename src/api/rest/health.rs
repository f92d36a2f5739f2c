//! The health domain over REST: `GET /api/health/summary` (what needs attention, with counts)
//! and a connection's own check interval, `GET`/`PUT /api/ssh-keys/connections/{id}/schedule`.

use crate::api::rest::{ApiJson, ApiPath, CHANGE, READ, deny, page_params};
use crate::error::AppError;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::entities::check_schedule;
use crate::server::services::{connections, health, rfc3339};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

/// `GET /api/health/summary`: counts by the newest check, failing reasons, the attention list.
pub async fn summary(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let summary = health::summary(&state.db, state.settings.check_interval_secs).await?;
    let reasons: Map<String, Value> = summary.reasons.iter().map(|(reason, n)| (reason.clone(), json!(n))).collect();
    Ok(Json(json!({
        "success": true,
        "total": summary.total, "healthy": summary.healthy, "failing": summary.failing,
        "unchecked": summary.unchecked, "checks_off": summary.checks_off, "nearly_full": summary.nearly_full,
        "check_interval_secs": summary.interval_secs,
        "reasons": reasons,
        "attention": summary.attention,
    })))
}

fn schedule_json(state: &AppState, id: i32, row: Option<&check_schedule::Model>) -> Value {
    let view = health::schedule_view(row, state.settings.check_every().num_seconds());
    json!({
        "success": true,
        "connection_id": id,
        "interval_secs": view.own_interval_secs,
        "effective_interval_secs": view.effective_secs,
        "checks_enabled": view.enabled,
        "next_check_at": view.next_check_at,
        "last_checked_at": view.last_checked_at,
    })
}

/// `GET /api/ssh-keys/connections/{id}/schedule`.
pub async fn schedule(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    connections::get(&state.db, id).await?;
    let row = health::schedule_of(&state.db, id).await?;
    Ok(Json(schedule_json(&state, id, row.as_ref())))
}

/// `PUT /api/ssh-keys/connections/{id}/schedule` `{interval_secs}`: null follows the global
/// interval, 0 turns the connection's checks off, else 60 s to a year.
pub async fn set_schedule(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, AppError> {
    let interval = match body.get("interval_secs") {
        None => {
            return Err(AppError::invalid("interval_secs", "interval_secs is required (null for the global interval)"));
        }
        Some(Value::Null) => None,
        Some(value) => Some(value.as_i64().ok_or_else(|| {
            AppError::invalid("interval_secs", "interval_secs must be a whole number of seconds or null")
        })?),
    };
    let global = state.settings.check_every().max(chrono::Duration::seconds(1));
    let row = health::set_interval(&state.db, &caller.actor(), id, interval, global).await?;
    Ok(Json(schedule_json(&state, id, Some(&row))))
}

/// `GET /api/alerts?page=1&per_page=50`: the alerts raised, newest first — one per change of
/// state of a connection (failing, recovered, host key changed, storage 75/90 %, full soon).
pub async fn alerts(
    State(state): State<AppState>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Json<Value>, AppError> {
    let (per_page, page) = page_params(query.as_deref(), 50, 200)?;
    let found = health::events(&state.db, per_page, page).await?;
    let alerts: Vec<Value> = found
        .rows
        .iter()
        .map(|e| {
            json!({"id": e.id, "connection_id": e.connection_id, "kind": e.kind, "reason": e.reason,
                "message": e.message, "created_at": rfc3339(&e.created_at)})
        })
        .collect();
    Ok(Json(json!({"success": true, "alerts": alerts, "total": found.total, "page": found.page,
        "pages": found.pages, "per_page": per_page})))
}

/// `GET /metrics`: the Prometheus text format (see `server::metrics`). A token needs the
/// `read:metrics` scope, which grants nothing else.
pub async fn metrics(State(state): State<AppState>) -> Result<impl axum::response::IntoResponse, AppError> {
    let text = crate::server::metrics::render(&state).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text))
}

/// Who may scrape: any signed-in user; a token needs `read:metrics`.
const METRICS: crate::server::access::Access =
    crate::server::access::Access::signed_in(crate::model::Scope::ReadMetrics);

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .get("/api/health/summary", READ, summary)
        .get("/api/alerts", READ, alerts)
        .get("/metrics", METRICS, metrics)
        .get("/api/ssh-keys/connections/{id}/schedule", READ, schedule)
        .put("/api/ssh-keys/connections/{id}/schedule", CHANGE, set_schedule)
}
