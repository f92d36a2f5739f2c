use crate::api::rest::ApiJson;
use crate::error::AppError;
use crate::server::auth::{Authed, ClientAddr};
use crate::server::services::accounts;
use crate::server::state::AppState;
use axum::extract::{FromRequest, Request, State};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// The password is wiped from memory when the request is done.
impl Drop for LoginBody {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.password);
    }
}

/// `POST /api/auth/login`: the OAuth2 password form (form-urlencoded, as Borg UI clients send it) or
/// the same fields as JSON → a bearer token with every scope, limited by the user's role.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    request: Request,
) -> Result<Json<Value>, AppError> {
    let is_json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body: LoginBody = if is_json {
        ApiJson::<LoginBody>::from_request(request, &()).await?.0
    } else {
        Form::<LoginBody>::from_request(request, &())
            .await
            .map_err(|_| AppError::BadRequest {
                field: None,
                message: "Send username and password as a form or as JSON.".into(),
            })?
            .0
    };
    let user = accounts::password_login(&state.db, &state.throttle, &body.username, &body.password, &addr).await?;
    let ttl = chrono::Duration::hours(i64::try_from(state.settings.api_token_ttl_hours).unwrap_or(8));
    let actor =
        crate::server::services::audit::Actor { id: Some(user.id), name: user.username.clone(), client_addr: addr };
    let created = accounts::create_login_token(&state.db, &actor, &user, ttl).await?;
    Ok(Json(json!({
        "access_token": created.token,
        "token_type": "bearer",
        "expires_in": ttl.num_seconds(),
    })))
}

/// `GET /api/auth/me`: who the credentials belong to.
pub async fn me(caller: Authed) -> Json<Value> {
    Json(json!({ "success": true, "user": crate::server::services::accounts::user_view(&caller.user) }))
}
