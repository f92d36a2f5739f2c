//! Server functions (`/rpc/…`) state their rule where their body starts (`rpc_rule!`), which both
//! checks it and enters it into the authorization table. Requests over HTTP pass this layer first:
//! a server function without a rule is refused, and a token is refused before any body runs.

use super::rule::{Access, authorize};
use crate::error::AppError;
use crate::server::auth::{ResolvedCaller, authenticate};
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::ServerFnUrlError;

/// Where Leptos serves the server functions.
pub const RPC_PREFIX: &str = "/rpc/";

/// The rule of one server function, collected from the whole program at start-up.
#[derive(Debug)]
pub struct RpcRule {
    /// The `endpoint` of its `#[server]` attribute.
    pub endpoint: &'static str,
    pub access: Access,
}

inventory::collect!(RpcRule);

/// States a server function's rule: enters it into the authorization table and evaluates to it,
/// for `context::caller` or `context::anyone` to check. The endpoint is the one its `#[server]`
/// attribute names; a test fails when a server function has no rule.
#[macro_export]
macro_rules! rpc_rule {
    ($endpoint:literal, $access:ident) => {{
        ::inventory::submit! {
            $crate::server::access::RpcRule { endpoint: $endpoint, access: $crate::server::access::Access::$access }
        }
        $crate::server::access::Access::$access
    }};
}

/// The rule of the server function at `endpoint`, if it has one.
pub fn rpc_rule_of(endpoint: &str) -> Option<Access> {
    inventory::iter::<RpcRule>.into_iter().find(|rule| rule.endpoint == endpoint).map(|rule| rule.access)
}

/// Every server function rule, for the table.
pub fn rpc_rules() -> impl Iterator<Item = &'static RpcRule> {
    inventory::iter::<RpcRule>.into_iter()
}

/// The layer in front of every server function called over HTTP.
pub async fn rpc_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(endpoint) = request.uri().path().strip_prefix(RPC_PREFIX).map(str::to_string) else {
        return next.run(request).await;
    };
    let Some(access) = rpc_rule_of(&endpoint) else {
        tracing::error!(endpoint, "refused a server function that has no authorization rule");
        let err = AppError::forbidden("This server function has no authorization rule, so nobody may call it.");
        return refuse(request.headers(), request.uri().path(), err);
    };
    let (mut parts, body) = request.into_parts();
    let outcome = match authenticate(&state, &parts).await {
        Ok(caller) => authorize(access, caller.as_ref()).map(|()| caller),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(caller) => {
            if let Some(caller) = caller {
                parts.extensions.insert(ResolvedCaller(caller));
            }
            next.run(Request::from_parts(parts, body)).await
        }
        Err(err) => refuse(&parts.headers, parts.uri.path(), err),
    }
}

/// Refuses the way a server function answers its own errors: a plain form post goes back to its
/// page with the error in the URL (Leptos's form-redirect convention), a fetch gets the error as
/// JSON with its real status.
fn refuse(headers: &HeaderMap, path: &str, err: AppError) -> Response {
    let header_str = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let accepts_html = header_str(header::ACCEPT).is_some_and(|v| v.contains("text/html"));
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::FORBIDDEN);
    if accepts_html {
        let back = header_str(header::REFERER)
            .and_then(|referer| ServerFnUrlError::new(path, err).to_url(referer).ok())
            .map(|url| url.to_string())
            .unwrap_or_else(|| "/".to_string());
        return redirect(&back);
    }
    let body = serde_json::to_vec(&err).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn redirect(location: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FOUND;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
