use super::ApiJson;
use crate::error::AppError;
use crate::server::auth::ClientAddr;
use crate::server::services::users;
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
    let admin = users::create_first_admin(&state.db, &body.username, &body.password, &addr).await?;
    Ok((StatusCode::CREATED, Json(json!({ "success": true, "user": users::to_view(&admin) }))))
}

/// `GET /api/setup`: whether setup is finished; open to anyone, it reveals nothing else.
pub async fn status(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({ "success": true, "admin_exists": state.setup_done().await? })))
}
