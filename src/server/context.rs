//! What a server function needs from its request: the state, the caller and the session.

use crate::error::AppError;
use crate::server::access::{Access, authorize};
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

/// The caller, checked against the server function's rule (`rpc_rule!`): 401 or 403 otherwise.
/// For rules that need a sign-in; the same check runs whether the function was called over HTTP or
/// in process by a page render.
pub async fn caller(access: Access) -> Result<(AppState, Authed), AppError> {
    let (state, caller) = anyone(access).await?;
    let caller = caller.ok_or_else(AppError::unauthenticated)?;
    if access.ssh {
        state.ssh.admit(caller.user.id)?;
    }
    Ok((state, caller))
}

/// The caller if there is one, checked against the rule; for rules open to `Who::Anyone`.
pub async fn anyone(access: Access) -> Result<(AppState, Option<Authed>), AppError> {
    let state = state()?;
    let caller = authenticate(&state, &parts()?).await?;
    authorize(access, caller.as_ref())?;
    Ok((state, caller))
}
