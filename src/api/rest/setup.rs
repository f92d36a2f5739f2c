use super::ApiJson;
use crate::api::rest::deny;
use crate::error::AppError;
use crate::server::access::{Access, GuardedRoutes};
use crate::server::auth::ClientAddr;
use crate::server::services::accounts;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct SetupBody {
    username: String,
    password: String,
}

/// `POST /api/setup`: the first admin, for scripted installs. 409 once any admin exists.
pub async fn create_first_admin(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<SetupBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let admin = accounts::create_first_admin(&state.db, &body.username, &body.password, &addr).await?;
    Ok((StatusCode::CREATED, Json(json!({ "success": true, "user": accounts::user_view(&admin) }))))
}

/// `GET /api/setup`: whether setup is finished; open to anyone, it reveals nothing else.
pub async fn status(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({ "success": true, "admin_exists": state.setup_done().await? })))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny).get("/api/setup", Access::ANYONE, status).post(
        "/api/setup",
        Access::ANYONE,
        create_first_admin,
    )
}
