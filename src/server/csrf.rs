//! Cross-site request forgery protection for every state-changing request made with a browser.
//!
//! Browsers label each request with `Sec-Fetch-Site` (or at least `Origin`); a request from another
//! site is refused before any handler or server function runs. Leptos server functions have no CSRF
//! protection of their own, so this layer covers them too. Requests with a bearer token carry no
//! ambient credential and are exempt; clients that send neither header are not browsers.

use crate::server::auth::bearer_token;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::state::AppState;

pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe_method = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe_method || bearer_token(request.headers()).is_some() {
        return next.run(request).await;
    }
    if is_same_origin(request.headers(), state.settings.public_url.as_deref()) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
    let body = serde_json::json!({
        "success": false,
        "detail": "Cross-site request refused: this form must be sent from Keyhaven's own pages.",
        "field": null,
    });
    (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

/// Same-origin by `Sec-Fetch-Site` where the browser sends it, else by `Origin` against `Host`
/// (or the configured public URL). Neither header: not a browser, nothing to forge.
pub fn is_same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = header("origin") else { return true };
    if origin == "null" {
        return false;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    let host_matches = header("host").is_some_and(|host| host.eq_ignore_ascii_case(origin_host));
    let public_matches = public_url.is_some_and(|url| url.trim_end_matches('/').eq_ignore_ascii_case(origin));
    host_matches || public_matches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "same-origin")]), None));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site"), ("origin", "http://a"), ("host", "a")]),
            None
        ));
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "same-site")]), None));
    }

    #[test]
    fn origin_must_match_host_or_public_url() {
        assert!(is_same_origin(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), None));
        assert!(!is_same_origin(&headers(&[("origin", "http://evil.example"), ("host", "127.0.0.1:3000")]), None));
        assert!(!is_same_origin(&headers(&[("origin", "null"), ("host", "a")]), None));
        assert!(is_same_origin(
            &headers(&[("origin", "https://kh.example"), ("host", "10.0.0.2:3000")]),
            Some("https://kh.example/")
        ));
        assert!(is_same_origin(&headers(&[]), None));
    }
}
