use crate::api::rest::{CHANGE, deny};
use crate::error::AppError;
use crate::server::access::GuardedRoutes;
use crate::server::services::audit::{self, AuditFilter};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    page: u64,
    per_page: Option<u64>,
}

/// `GET /api/audit?action=&actor=&page=&per_page=`: newest first, admins only.
pub async fn list(State(state): State<AppState>, Query(q): Query<AuditQuery>) -> Result<Json<Value>, AppError> {
    let filter = AuditFilter { action: q.action, actor: q.actor, page: q.page, per_page: q.per_page.unwrap_or(50) };
    let page = audit::list(&state.db, &filter).await?;
    Ok(Json(json!({ "success": true, "entries": page.entries, "page": page.page, "total_pages": page.total_pages })))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny).get("/api/audit", CHANGE, list)
}
