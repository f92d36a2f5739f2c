//! Page gates: before setup every page leads to `/setup`; after it, pages need a signed-in user.
//!
//! Only browser page loads (GET of a page path) are gated here. APIs answer 401 themselves, and
//! assets and server functions pass through.

use crate::error::AppError;
use crate::server::access::{Access, Who, authorize};
use crate::server::auth::{ResolvedCaller, authenticate};
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Paths that are never gated: APIs, server functions, assets, health.
fn is_ungated(path: &str) -> bool {
    const PREFIXES: [&str; 6] = ["/api/", "/rpc/", "/pkg/", "/healthz", "/user/", "/users/"];
    PREFIXES.iter().any(|p| path.starts_with(p))
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
        || path.starts_with("/repos/")
}

pub async fn page_gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if request.method() != Method::GET || is_ungated(&path) {
        return next.run(request).await;
    }
    let setup_done = match state.setup_done().await {
        Ok(done) => done,
        Err(err) => return AppError::from(err).into_response(),
    };
    if !setup_done {
        return if path == "/setup" { next.run(request).await } else { Redirect::to("/setup").into_response() };
    }
    let (mut parts, body) = request.into_parts();
    let caller = authenticate(&state, &parts).await.ok().flatten();
    let access = page_access(&path);
    if let Err(err @ AppError::Forbidden { .. }) = authorize(access, caller.as_ref()) {
        return err.into_response();
    }
    if access.who == Who::Anyone {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let Some(caller) = caller else {
        let target = parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let next_param = if target == "/" {
            String::new()
        } else {
            format!("?next={}", crate::server::percent::percent_encode(target, true))
        };
        return Redirect::to(&format!("/login{next_param}")).into_response();
    };
    // A page render asks "who is this?" once per server function; it is the same answer.
    parts.extensions.insert(ResolvedCaller(caller));
    next.run(Request::from_parts(parts, body)).await
}

/// The rule of a page: sign-in and setup are open, every other page needs a signed-in browser
/// (what it shows is further limited by the rules of the server functions it calls).
pub fn page_access(path: &str) -> Access {
    if path == "/login" || path == "/setup" { Access::BROWSER_ANYONE } else { Access::BROWSER_SIGNED_IN }
}

/// A post-login destination must be a path on this site, never another host: it starts with one
/// `/`, and neither it nor its percent-decoded form holds a backslash, whitespace or a control
/// character (browsers drop a tab or newline, so `/\t/evil.example` would become
/// `//evil.example`; a control character cannot go into a `Location` header at all).
pub fn safe_next(next: &str) -> String {
    let decoded = crate::server::percent::percent_decode(next);
    let local = |path: &str| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    if local(next) && local(&decoded) && next.len() <= 2048 { next.to_string() } else { "/".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/settings/users"), "/settings/users");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/%09/evil.example"), "/", "a tab the browser would drop");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/%2F%2Fevil.example"), "/");
        assert_eq!(safe_next("/%5Cevil.example"), "/");
        assert_eq!(safe_next("/settings\u{7}"), "/", "a control character");
        assert_eq!(safe_next("/settings\r\nSet-Cookie: a=b"), "/");
        assert_eq!(safe_next("/settings/known-hosts?host=a%20b"), "/", "a space after decoding");
        assert_eq!(
            safe_next("/settings/known-hosts?host=example.org&port=22"),
            "/settings/known-hosts?host=example.org&port=22"
        );
        assert_eq!(safe_next("/%E2%82%AC"), "/%E2%82%AC");
    }

    #[test]
    fn assets_and_apis_are_not_gated() {
        assert!(is_ungated("/pkg/keyhaven.wasm"));
        assert!(is_ungated("/api/users"));
        assert!(is_ungated("/favicon.ico"));
        assert!(!is_ungated("/settings/users"));
        assert!(!is_ungated("/"));
    }
}
