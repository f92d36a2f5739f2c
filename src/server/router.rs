//! The HTTP router: health, the REST API, server functions and pages, wrapped in sessions, CSRF
//! checks, page gates and request tracing.

use crate::app::{App, shell};
use crate::server::access::{self, Entry, EntryKind, rpc_entries};
use crate::server::session_store::DbSessionStore;
use crate::server::state::AppState;
use crate::server::{client_address, csrf, gates, host_check, rpc_status, security_headers};
use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use sea_orm::ConnectionTrait;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "keyhaven_session";

/// Every entry point with its rule: the REST routes as registered, the server functions' rules and
/// the pages behind the page gate (see `docs/authorization.md`).
pub fn access_table(state: &AppState) -> Vec<Entry> {
    let (_, mut entries) = crate::api::rest::routes(state).finish();
    entries.extend(rpc_entries());
    for route in page_routes() {
        let path = route.path().to_string();
        entries.push(Entry { kind: EntryKind::Page, method: "GET".into(), access: gates::page_access(&path), path });
    }
    entries
}

/// The pages' routes, listed once per process. Listing renders the app with every resource held
/// back by a process-wide flag (`leptos_server`'s `SuppressResourceLoad`): a page whose resource
/// first polls while another thread lists routes waits forever (leptos-rs/leptos#4773). Listing
/// once, before any router exists, means no page can be rendering while it happens.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build_router(state: AppState) -> Router {
    let routes = page_routes();
    let rest = crate::api::rest::routes(&state);
    let unrouted = rest.unrouted();
    let (rest, _) = rest.finish();
    let trusted_proxies: std::sync::Arc<[client_address::ProxyRange]> = state.settings.trusted_proxy_ranges().into();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            i64::try_from(state.settings.session_idle_minutes).unwrap_or(480),
        )));
    let options = (*state.leptos_options).clone();
    let pkg_dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let pkg_path = format!("/{}", options.site_pkg_dir);
    // The page gate wraps the pages (and the not-found page) only: a REST route is never mistaken
    // for a page, whatever its path.
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, || (), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), gates::page_gate));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(rest)
        .nest_service(&pkg_path, assets(&pkg_dir))
        .merge(pages)
        .layer(middleware::from_fn(say_when_files_are_stale))
        // Outside every guard, so refused requests are timed too; after routing (Router::layer),
        // so the route's template is known.
        .layer(middleware::from_fn_with_state(state.clone(), crate::server::metrics::track))
        .layer(middleware::from_fn_with_state(unrouted, access::answer_unrouted))
        .layer(middleware::from_fn_with_state(state.clone(), crate::api::rest::public_keys::dot_keys))
        .layer(middleware::from_fn_with_state(state.clone(), access::rpc_guard))
        .layer(middleware::from_fn(rpc_status::server_fn_status))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::csrf_guard))
        .layer(sessions)
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(RequestBodyTimeoutLayer::new(BODY_DEADLINE))
        .layer(compress_assets())
        .layer(catch_panics())
        .layer(middleware::from_fn(security_headers::security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), host_check::host_guard))
        .layer(middleware::from_fn_with_state(trusted_proxies, client_address::client_address))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // Path only: query strings could carry something a user pasted.
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

/// The largest request body any route reads (a known_hosts import of a few thousand hosts); a
/// larger one is refused with 413 before a handler sees it. Routes may set a smaller limit.
const MAX_BODY: usize = 1024 * 1024;

/// A request body must arrive within this (the headers' deadline is the server's, see
/// `http_server`): a client trickling a body cannot hold a handler for long.
const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// A panic in a handler (a bug) answers 500 and ends only that request; the panic hook has
/// already logged it.
pub fn catch_panics() -> CatchPanicLayer<fn(Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response> {
    CatchPanicLayer::custom(panic_answer as fn(Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response)
}

fn panic_answer(_panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    crate::error::AppError::Internal("Something went wrong; the details are in the server log.".into()).into_response()
}

/// The wasm, JavaScript and CSS the browser runs the pages with. A file's `.gz` twin, which
/// `scripts/precompress.sh` makes at build time with zopfli (5% smaller than gzip -9), is sent as
/// it is to a browser that accepts gzip; without one the file is compressed as it is sent.
fn assets(pkg_dir: &std::path::Path) -> ServeDir {
    ServeDir::new(pkg_dir).precompressed_gzip()
}

/// Content types worth compressing: what the browser downloads to run the pages.
const ASSET_TYPES: [&str; 5] =
    ["application/wasm", "text/javascript", "application/javascript", "text/css", "application/json"];

/// Whether a response of `content_type` (a static file or not) is a browser asset to compress. HTML and API answers
/// are never compressed: a page can show a secret once next to text the user sent, which
/// compression would leak through its length (BREACH).
fn is_compressed_asset(content_type: &str, is_static_file: bool) -> bool {
    is_static_file && ASSET_TYPES.iter().any(|t| content_type.starts_with(t))
}

/// gzip for the wasm, JavaScript, CSS and split manifest that have no precompressed twin.
fn compress_assets() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(
        |_: StatusCode, _: axum::http::Version, headers: &axum::http::HeaderMap, _: &axum::http::Extensions| {
            let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            // Static files carry Last-Modified; API answers (JSON too) never do.
            let is_file = headers.contains_key(axum::http::header::LAST_MODIFIED);
            content_type.is_some_and(|t| is_compressed_asset(t, is_file))
        },
    )
}

/// `GET /healthz`: 200 `ok` when the database answers and the files in `data/ssh` are written;
/// 200 `degraded: …` with the reason when those files are stale (Keyhaven itself works, so an
/// orchestrator should not restart it); 503 when the database does not answer.
async fn healthz(State(state): State<AppState>) -> (StatusCode, String) {
    if let Err(err) = state.db.execute_unprepared("SELECT 1").await {
        tracing::error!(error = %err, "health check: database unreachable");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable".into());
    }
    match state.changes.status().failure {
        Some(reason) => (StatusCode::OK, format!("degraded: the files in data/ssh are stale ({reason})")),
        None => (StatusCode::OK, "ok".into()),
    }
}

/// Header on the answer to a request whose change is saved but not yet in the files in `data/ssh`
/// (the writer retries; `/healthz` and the Dashboard say so too).
pub const STALE_FILES_HEADER: &str = "x-keyhaven-files-stale";

/// Adds [`STALE_FILES_HEADER`] with the reason when a change this request published could not be
/// written. It knows nothing of routes: the services note it as they publish.
async fn say_when_files_are_stale(request: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    let (mut response, stale) = crate::server::services::changes::note_stale_files(next.run(request)).await;
    if let Some(reason) = stale {
        let printable: String =
            reason.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
        if let Ok(value) = axum::http::HeaderValue::from_str(&printable) {
            response.headers_mut().insert(STALE_FILES_HEADER, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_compressed_asset;

    #[test]
    fn only_static_browser_assets_are_compressed() {
        assert!(is_compressed_asset("application/wasm", true));
        assert!(is_compressed_asset("text/javascript; charset=utf-8", true));
        assert!(is_compressed_asset("text/css", true));
        assert!(is_compressed_asset("application/json", true), "the split manifest");
        assert!(!is_compressed_asset("application/json", false), "API answers");
        assert!(!is_compressed_asset("text/html; charset=utf-8", true));
        assert!(!is_compressed_asset("text/html; charset=utf-8", false));
        assert!(!is_compressed_asset("text/plain", true));
    }
}
