//! GitHub's list conventions: `per_page` (default 30, at most 100), `page` (from 1), a
//! `fingerprint` filter, and a `Link` header with `first`, `prev`, `next` and `last`.

use super::error::GhError;
use crate::error::AppError;
use crate::server::services::public_keys::PageRequest;
use crate::server::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use std::collections::HashMap;

pub const DEFAULT_PER_PAGE: u64 = 30;
pub const MAX_PER_PAGE: u64 = 100;

/// What a list request asked for. Unknown parameters are ignored, as GitHub ignores them.
pub struct ListQuery {
    pub page: PageRequest,
    pub fingerprint: Option<String>,
}

fn number(params: &HashMap<String, String>, name: &str) -> Result<Option<u64>, GhError> {
    match params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
            GhError(AppError::invalid(
                name,
                format!("{name} must be a whole number; got {:?}", v.chars().take(20).collect::<String>()),
            ))
        }),
    }
}

impl ListQuery {
    pub fn parse(raw_query: Option<&str>) -> Result<ListQuery, GhError> {
        let params: HashMap<String, String> =
            serde_urlencoded::from_str(raw_query.unwrap_or_default()).map_err(|_| {
                GhError(AppError::BadRequest { field: None, message: "The query string could not be read".into() })
            })?;
        let per_page = match number(&params, "per_page")? {
            None | Some(0) => DEFAULT_PER_PAGE,
            Some(n) => n.min(MAX_PER_PAGE),
        };
        let page = number(&params, "page")?.unwrap_or(1).max(1);
        let fingerprint = params.get("fingerprint").map(|f| f.trim().to_string()).filter(|f| !f.is_empty());
        Ok(ListQuery { page: PageRequest { page, per_page }, fingerprint })
    }
}

/// The prefix GitHub Enterprise clients put before every API path on a custom host.
pub const ENTERPRISE_PREFIX: &str = "/api/v3";

/// Where the caller reached Keyhaven, for the links in an answer. A client that called under
/// `/api/v3` (PyGithub and Octokit with an Enterprise base URL) follows `url` and `Link` to the
/// same prefix, so `api` keeps it; `site` is for `html_url`, which a browser opens.
pub struct ApiBase {
    pub api: String,
    pub site: String,
}

impl axum::extract::FromRequestParts<AppState> for ApiBase {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let site = site_url(state, &parts.headers);
        let path = parts.uri.path();
        let enterprise =
            path.strip_prefix(ENTERPRISE_PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        let api = if enterprise { format!("{site}{ENTERPRISE_PREFIX}") } else { site.clone() };
        Ok(ApiBase { api, site })
    }
}

/// The address clients reached Keyhaven at: the configured public URL, else the request's Host.
fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

/// `<url?page=N&per_page=M>; rel="next", …`, or nothing when everything fits on one page.
pub fn link_header(url: &str, query: &ListQuery, total: u64) -> Option<HeaderValue> {
    let per_page = query.page.per_page;
    let last = total.div_ceil(per_page).max(1);
    let current = query.page.page;
    let filter = query
        .fingerprint
        .as_deref()
        .map(|f| format!("&fingerprint={}", crate::server::percent::percent_encode(f, false)))
        .unwrap_or_default();
    let link = |page: u64, rel: &str| format!("<{url}?page={page}&per_page={per_page}{filter}>; rel=\"{rel}\"");
    let mut parts = Vec::new();
    if current > 1 {
        parts.push(link(1, "first"));
        parts.push(link((current - 1).min(last), "prev"));
    }
    if current < last {
        parts.push(link(current + 1, "next"));
        parts.push(link(last, "last"));
    }
    (!parts.is_empty()).then(|| HeaderValue::from_str(&parts.join(", ")).ok()).flatten()
}
