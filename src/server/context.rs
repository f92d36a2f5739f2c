//! What a server function needs from its request: the state, the caller and the session.

use crate::error::AppError;
use crate::server::auth::{Authed, authenticate, client_addr};
use crate::server::state::AppState;
use axum::http::request::Parts;
use leptos::prelude::use_context;
use tower_sessions::Session;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("Server state is missing.".into()))
}

pub fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| AppError::Internal("Request is missing.".into()))
}

pub fn session() -> Result<Session, AppError> {
    parts()?.extensions.get::<Session>().cloned().ok_or_else(|| AppError::Internal("Session layer is missing.".into()))
}

pub fn request_addr() -> String {
    parts().map(|p| client_addr(&p)).unwrap_or_else(|_| "unknown".into())
}

/// Whether the request is a plain HTML form post (JavaScript off) rather than a fetch.
pub fn is_form_post() -> bool {
    parts().is_ok_and(|p| {
        p.headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// The signed-in caller, or 401.
pub async fn require_user() -> Result<(AppState, Authed), AppError> {
    let state = state()?;
    let authed = authenticate(&state, &parts()?).await?.ok_or_else(AppError::unauthenticated)?;
    Ok((state, authed))
}

/// The signed-in caller with the admin role, or 401/403.
pub async fn require_admin() -> Result<(AppState, Authed), AppError> {
    let (state, authed) = require_user().await?;
    authed.require_admin()?;
    Ok((state, authed))
}
