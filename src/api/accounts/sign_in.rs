use crate::error::AppError;
use crate::model::Me;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::server::context;
    let (_state, caller) = context::anyone(crate::rpc_rule!("current_user", BROWSER_ANYONE)).await?;
    Ok(caller.map(|a| Me { id: a.user.id, username: a.user.username, role: a.role }))
}

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{context, gates::safe_next, services::accounts};
    let (state, _caller) = context::anyone(crate::rpc_rule!("login", BROWSER_ANYONE)).await?;
    // Wiped from memory when the request is done.
    let password = zeroize::Zeroizing::new(password);
    let user =
        accounts::password_login(&state.db, &state.throttle, &username, &password, &context::request_addr()).await?;
    start_session(&user).await?;
    leptos_axum::redirect(&safe_next(next.as_deref().unwrap_or("/")));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::context;
    context::anyone(crate::rpc_rule!("logout", BROWSER_ANYONE)).await?;
    let session = context::session()?;
    session.flush().await.map_err(|e| AppError::Internal(format!("Could not end the session: {e}")))?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Signs a user in on this browser: a fresh session id (no fixation), then the login record.
#[cfg(feature = "ssr")]
pub async fn start_session(user: &crate::server::entities::user::Model) -> Result<(), AppError> {
    use crate::server::auth::{SESSION_AUTH_KEY, SessionAuth};
    let session = crate::server::context::session()?;
    let failed = |e: tower_sessions::session::Error| {
        tracing::error!(error = %e, "session store");
        AppError::Internal("Could not start a session; the details are in the server log.".into())
    };
    session.cycle_id().await.map_err(failed)?;
    let record =
        SessionAuth { user_id: user.id, auth_version: user.auth_version, login_at: chrono::Utc::now().timestamp() };
    session.insert(SESSION_AUTH_KEY, record).await.map_err(failed)?;
    Ok(())
}
