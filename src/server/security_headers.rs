//! Headers every answer carries so that a browser never frames, sniffs or leaks Keyhaven's pages.
//!
//! The Content-Security-Policy restricts what does not need a per-page nonce: no framing, no plugins,
//! forms and `<base>` only to this origin. Scripts stay unrestricted by it because Leptos hydrates
//! through an inline module script.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const CSP: &str = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Same-origin keeps the Referer that form posts without JavaScript return to.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    response
}
