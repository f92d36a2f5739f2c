use crate::api::rest::ApiJson;
use crate::error::AppError;
use crate::model::Role;
use crate::server::auth::{Authed, ClientAddr};
use crate::server::services::accounts;
use crate::server::state::AppState;
use axum::extract::{FromRequest, Request, State};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_sessions::Session;

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

/// Borg UI's names for what a role may do in the parts Keyhaven serves: its frontend shows the SSH
/// pages only to `settings.ssh.manage`. Admins hold both; viewers none.
fn global_permissions(role: Role) -> &'static [&'static str] {
    match role {
        Role::Admin => &["settings.ssh.manage", "settings.users.manage"],
        Role::Viewer => &[],
    }
}

/// `GET /api/auth/me`: who the credentials belong to — flat, as Borg UI's frontend reads it
/// (`role`, `global_permissions`, …), and under `user` as Keyhaven answered before.
pub async fn me(caller: Authed) -> Json<Value> {
    let user = accounts::user_view(&caller.user);
    Json(json!({
        "id": user.id,
        "username": user.username,
        "full_name": null,
        "email": null,
        "role": user.role,
        "is_active": user.is_active,
        "must_change_password": false,
        "totp_enabled": false,
        "created_at": user.created_at,
        "last_login": user.last_login_at,
        "global_permissions": global_permissions(user.role),
        "success": true,
        "user": user,
    }))
}

/// `POST /api/auth/logout`: ends the credential the request came with — the token (revoked at
/// once, wherever else it is in use) or the browser session.
pub async fn logout(State(state): State<AppState>, caller: Authed, session: Session) -> Result<Json<Value>, AppError> {
    match caller.token() {
        Some(grant) => accounts::revoke_token(&state.db, &caller.actor(), caller.user.id, grant.id).await?,
        None => session.flush().await.map_err(|e| AppError::Internal(format!("Could not end the session: {e}")))?,
    }
    Ok(Json(json!({ "success": true, "message": "Logged out", "logout_url": null })))
}

/// `GET /api/auth/config` (no credentials): how clients sign in. Keyhaven has one way — a token
/// from `POST /api/auth/login` — so Borg UI's frontend takes its token mode.
pub async fn config() -> Json<Value> {
    Json(json!({
        "authentication_required": true,
        "proxy_auth_enabled": false,
        "insecure_no_auth_enabled": false,
        "oidc_enabled": false,
        "oidc_provider_name": null,
        "oidc_disable_local_auth": false,
        "proxy_auth_header": null,
        "proxy_auth_role_header": null,
        "proxy_auth_all_repositories_role_header": null,
        "proxy_auth_email_header": null,
        "proxy_auth_full_name_header": null,
        "proxy_auth_health": { "enabled": false, "warnings": [] },
    }))
}
