use crate::api::rest::ApiJson;
use crate::api::rest::ApiPath;
use crate::error::AppError;
use crate::server::auth::Authed;
use crate::server::services::accounts::{self, KIND_PERSONAL, TokenRequest};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// Tokens are personal: every user, viewers included, manages their own.
pub async fn list(State(state): State<AppState>, caller: Authed) -> Result<Json<Value>, AppError> {
    let own = accounts::list_tokens(&state.db, caller.user.id).await?;
    Ok(Json(json!({ "success": true, "tokens": own })))
}

#[derive(Deserialize)]
pub struct NewToken {
    name: String,
    #[serde(default)]
    scopes: Vec<String>,
    expires_in_days: Option<u32>,
}

/// `POST /api/tokens` → 201 with the token, the only time it is shown.
pub async fn create(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let scopes = accounts::parse_scopes(&body.scopes)?;
    let request = TokenRequest {
        name: &body.name,
        scopes,
        expires_in_days: body.expires_in_days,
        kind: KIND_PERSONAL,
        made_with: caller.token(),
    };
    let created = accounts::create_token(&state.db, &caller.actor(), &caller.user, request).await?;
    Ok((StatusCode::CREATED, Json(json!({ "success": true, "api_token": created }))))
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    accounts::revoke_token(&state.db, &caller.actor(), caller.user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Token revoked" })))
}
