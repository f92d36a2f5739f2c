//! The HTTP router: health, the REST API, server functions and pages, wrapped in sessions, CSRF
//! checks, page gates and request tracing.

use crate::app::{App, shell};
use crate::server::session_store::DbSessionStore;
use crate::server::state::AppState;
use crate::server::{csrf, gates, rpc_status};
use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::middleware;
use axum::routing::get;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::ConnectionTrait;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "keyhaven_session";

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            i64::try_from(state.settings.session_idle_minutes).unwrap_or(480),
        )));
    let options = (*state.leptos_options).clone();
    Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::api::rest::routes())
        .leptos_routes_with_context(&state, routes, || (), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), crate::server::derived_sync::sync_after_change))
        .layer(middleware::from_fn_with_state(state.clone(), crate::api::rest::github::dot_keys))
        .layer(middleware::from_fn_with_state(state.clone(), gates::page_gate))
        .layer(middleware::from_fn(rpc_status::server_fn_status))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::csrf_guard))
        .layer(sessions)
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // Path only: query strings could carry something a user pasted.
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
