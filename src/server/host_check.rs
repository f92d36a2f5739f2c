//! Refuses requests whose `Host` names a server Keyhaven does not know it is (DNS rebinding).
//!
//! A web page on `evil.example` can point its own name at 127.0.0.1 and then talk to a Keyhaven on
//! the operator's machine as a same-origin page. The browser still sends `Host: evil.example`, so
//! only the names Keyhaven was told about are answered. IP addresses are always allowed: a page
//! cannot rebind an address, only a name.

use crate::server::config::Settings;
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// The host part of a `Host` header or URL authority (`name:port`, `[v6]:port`), lowercased.
fn host_part(authority: &str) -> String {
    let authority = authority.trim();
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        authority.rsplit_once(':').map(|(host, _)| host).unwrap_or(authority)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The host of a URL such as `https://kh.example:8443/`.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, rest)| rest)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map(|(_, a)| a).unwrap_or(authority);
    Some(host_part(authority))
}

/// Whether `host` (as a request names it) is one of Keyhaven's own names.
pub fn is_allowed_host(settings: &Settings, host: &str) -> bool {
    let host = host_part(host);
    if host.is_empty() {
        return false;
    }
    if host == "localhost" || host.parse::<IpAddr>().is_ok() {
        return true;
    }
    let listen = host_part(&settings.listen);
    let public = settings.public_url.as_deref().and_then(url_host);
    host == listen
        || public.as_deref() == Some(host.as_str())
        || settings.allowed_hosts.iter().any(|allowed| host_part(allowed) == host)
}

pub async fn host_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let named = request.headers().get(header::HOST).map(|v| v.to_str().unwrap_or(""));
    match named {
        Some(host) if !is_allowed_host(&state.settings, host) => {
            tracing::warn!(host, "refused a request for a host name Keyhaven does not answer to");
            let message = "This Keyhaven does not answer to this host name. Add the name to allowed_hosts \
                 (KEYHAVEN_ALLOWED_HOSTS) or set public_url.";
            (StatusCode::MISDIRECTED_REQUEST, message).into_response()
        }
        // No Host header: not a browser (HTTP/1.0 tools, in-process tests), nothing to rebind.
        _ => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(public_url: Option<&str>, allowed: &[&str]) -> Settings {
        Settings {
            listen: "0.0.0.0:3000".into(),
            public_url: public_url.map(str::to_string),
            allowed_hosts: allowed.iter().map(|h| h.to_string()).collect(),
            ..Settings::default()
        }
    }

    #[test]
    fn addresses_and_localhost_always_pass() {
        let s = settings(None, &[]);
        for host in ["127.0.0.1:3000", "localhost:3000", "LOCALHOST", "[::1]:3000", "10.1.2.3", "0.0.0.0:3000"] {
            assert!(is_allowed_host(&s, host), "{host}");
        }
    }

    #[test]
    fn a_name_passes_only_when_configured() {
        let s = settings(Some("https://Keys.Example.org:8443/"), &["backup.lan"]);
        assert!(is_allowed_host(&s, "keys.example.org:8443"));
        assert!(is_allowed_host(&s, "keys.example.org."));
        assert!(is_allowed_host(&s, "backup.lan:3000"));
        assert!(!is_allowed_host(&s, "evil.example:3000"));
        assert!(!is_allowed_host(&s, "keys.example.org.evil.example"));
        assert!(!is_allowed_host(&s, ""));
        assert!(!is_allowed_host(&settings(None, &[]), "rebind.evil.example:3000"));
    }

    #[test]
    fn listen_names_itself() {
        let s = Settings { listen: "keyhaven.internal:3000".into(), ..Settings::default() };
        assert!(is_allowed_host(&s, "keyhaven.internal:3000"));
    }
}
