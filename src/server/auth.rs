//! Who is asking: a browser session or a bearer token, resolved to a user, a role and scopes.
//!
//! Roles are checked here on the server for every change; the UI hiding a button is only a courtesy.

use crate::error::AppError;
use crate::model::Role;
use crate::server::client_address::ClientAddress;
use crate::server::entities::user;
use crate::server::services::accounts::{self, TokenGrant};
use crate::server::services::audit::Actor;
use crate::server::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use tower_sessions::Session;

/// Session key holding the signed-in user.
pub const SESSION_AUTH_KEY: &str = "auth";

/// What a session remembers about its login.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: i32,
    /// The user's `auth_version` at login; a password, role or status change ends the session.
    pub auth_version: i32,
    /// Unix seconds of the login, for the absolute session lifetime.
    pub login_at: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    Session,
    Token(TokenGrant),
}

/// An authenticated request.
#[derive(Clone, Debug)]
pub struct Authed {
    pub user: user::Model,
    pub role: Role,
    pub credential: Credential,
    pub client_addr: String,
}

impl Authed {
    /// The bearer token this request came with, if it came with one.
    pub fn token(&self) -> Option<&TokenGrant> {
        match &self.credential {
            Credential::Token(grant) => Some(grant),
            Credential::Session => None,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor { id: Some(self.user.id), name: self.user.username.clone(), client_addr: self.client_addr.clone() }
    }
}

/// The client's address: as attributed by `client_address` (trusted proxies considered), else the
/// TCP peer.
pub fn client_addr(parts: &Parts) -> String {
    if let Some(ClientAddress(ip)) = parts.extensions.get::<ClientAddress>() {
        return ip.to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The token a request sent, and in which header.
#[derive(Debug, PartialEq, Eq)]
pub enum SentToken {
    None,
    Token(String),
    /// A header of ours that does not hold a token; the text says how to send one.
    Malformed(&'static str),
}

/// Borg UI's header: its frontend sends the token here, because a reverse proxy in front of it may
/// own `Authorization` (with Basic auth, say).
pub const BORG_AUTHORIZATION: &str = "x-borg-authorization";

/// The token of a request. `X-Borg-Authorization: Bearer …` wins over `Authorization`; in
/// `Authorization`, `Bearer` and GitHub's `token` carry a token, while a proxy's `Basic` or
/// `Digest` belongs to the proxy and is ignored (it never hides a token in the other header, and
/// never turns a browser's session into a 401).
pub fn sent_token(headers: &axum::http::HeaderMap) -> SentToken {
    let scheme_and_token = |value: &axum::http::HeaderValue| {
        let text = value.to_str().ok()?;
        let (scheme, token) = text.split_once(' ')?;
        let token = token.trim();
        (!token.is_empty()).then(|| (scheme.to_ascii_lowercase(), token.to_string()))
    };
    if let Some(value) = headers.get(BORG_AUTHORIZATION) {
        return match scheme_and_token(value) {
            Some((scheme, token)) if scheme == "bearer" => SentToken::Token(token),
            _ => SentToken::Malformed("Use 'X-Borg-Authorization: Bearer <token>'."),
        };
    }
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else { return SentToken::None };
    match scheme_and_token(value) {
        Some((scheme, token)) if scheme == "bearer" || scheme == "token" => SentToken::Token(token),
        Some((scheme, _)) if scheme == "basic" || scheme == "digest" => SentToken::None,
        _ => SentToken::Malformed("Use 'Authorization: Bearer <token>'."),
    }
}

/// The bearer token of a request, if it sent one (either header; see [`sent_token`]).
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<String> {
    match sent_token(headers) {
        SentToken::Token(token) => Some(token),
        SentToken::None | SentToken::Malformed(_) => None,
    }
}

/// The caller the page gate already resolved for this request, so that the layout and each
/// server function a page render calls do not look the token or session up again. Only server
/// code puts it into the request's extensions; a client cannot send one.
#[derive(Clone)]
pub struct ResolvedCaller(pub Authed);

/// Resolves the caller. A bad bearer token is an error (401) even if a session exists too.
pub async fn authenticate(state: &AppState, parts: &Parts) -> Result<Option<Authed>, AppError> {
    if let Some(ResolvedCaller(authed)) = parts.extensions.get::<ResolvedCaller>() {
        return Ok(Some(authed.clone()));
    }
    let client_addr = client_addr(parts);
    match sent_token(&parts.headers) {
        SentToken::Token(token) => {
            let (user, grant) = accounts::authenticate_token(&state.db, &token).await?;
            let role = accounts::role_of(&user);
            return Ok(Some(Authed { user, role, credential: Credential::Token(grant), client_addr }));
        }
        SentToken::Malformed(hint) => return Err(AppError::Unauthorized(hint.into())),
        SentToken::None => {}
    }
    let Some(session) = parts.extensions.get::<Session>() else { return Ok(None) };
    session_user(state, session, client_addr).await
}

async fn session_user(state: &AppState, session: &Session, client_addr: String) -> Result<Option<Authed>, AppError> {
    let Ok(Some(auth)) = session.get::<SessionAuth>(SESSION_AUTH_KEY).await else { return Ok(None) };
    let lifetime = i64::try_from(state.settings.session_lifetime_hours.saturating_mul(3600)).unwrap_or(i64::MAX);
    let expired = chrono::Utc::now().timestamp().saturating_sub(auth.login_at) > lifetime;
    let user = match accounts::get_user(&state.db, auth.user_id).await {
        Ok(user) => Some(user),
        Err(crate::server::error::ServiceError::NotFound(_)) => None,
        Err(other) => return Err(other.into()),
    };
    match user {
        Some(user) if !expired && user.is_active && user.auth_version == auth.auth_version => {
            let role = accounts::role_of(&user);
            Ok(Some(Authed { user, role, credential: Credential::Session, client_addr }))
        }
        _ => {
            // Stale session: forget it so the browser is asked to log in again.
            let _ = session.flush().await;
            Ok(None)
        }
    }
}

/// Extractor: the caller must be authenticated (401 otherwise).
impl FromRequestParts<AppState> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        authenticate(state, parts).await?.ok_or_else(AppError::unauthenticated)
    }
}

/// Extractor: the caller, if any.
pub struct MaybeAuthed(pub Option<Authed>);

impl FromRequestParts<AppState> for MaybeAuthed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuthed(authenticate(state, parts).await?))
    }
}

/// Extractor: the client's address, for the audit log and login limits.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn borg_uis_header_wins_and_a_proxys_basic_auth_hides_nothing() {
        let token = |t: &str| SentToken::Token(t.to_string());
        assert_eq!(sent_token(&headers(&[(BORG_AUTHORIZATION, "Bearer kh_a")])), token("kh_a"));
        assert_eq!(
            sent_token(&headers(&[(BORG_AUTHORIZATION, "Bearer kh_a"), ("authorization", "Bearer kh_b")])),
            token("kh_a"),
            "X-Borg-Authorization is preferred when both are sent"
        );
        assert_eq!(
            sent_token(&headers(&[(BORG_AUTHORIZATION, "Bearer kh_a"), ("authorization", "Basic dTpw")])),
            token("kh_a")
        );
        assert_eq!(sent_token(&headers(&[("authorization", "Basic dTpw")])), SentToken::None, "the proxy's");
        assert_eq!(sent_token(&headers(&[("authorization", "token kh_c")])), token("kh_c"), "GitHub's form");
        assert!(matches!(sent_token(&headers(&[("authorization", "Bearer ")])), SentToken::Malformed(_)));
        assert!(matches!(sent_token(&headers(&[(BORG_AUTHORIZATION, "Basic dTpw")])), SentToken::Malformed(_)));
        assert_eq!(sent_token(&HeaderMap::new()), SentToken::None);
    }
}
