//! API tokens: personal access tokens (made on the API tokens page) and login tokens (from
//! `POST /api/auth/login`). Only a SHA-256 of each token is stored; the token is shown once.

use crate::model::{CreatedToken, Scope, TokenView};
use crate::server::entities::{api_token, user};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use base64::Engine;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};

pub const KIND_PERSONAL: &str = "personal";
pub const KIND_LOGIN: &str = "login";
const MAX_NAME_LEN: usize = 100;
const MAX_EXPIRY_DAYS: u32 = 3650;

/// A token as handed out: `khp_` (personal) or `kha_` (login) and 256 random bits.
fn new_token_text(kind: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let prefix = if kind == KIND_LOGIN { "kha_" } else { "khp_" };
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn parse_scopes(names: &[String]) -> Result<Vec<Scope>, ServiceError> {
    let mut scopes = Vec::new();
    for name in names.iter().flat_map(|n| n.split([' ', ','])).filter(|n| !n.is_empty()) {
        let scope = Scope::parse(name).ok_or_else(|| {
            ServiceError::invalid("scopes", format!("Unknown scope '{name}'. Known scopes: read:public_key, write:public_key, admin:public_key, repo, admin."))
        })?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes.sort();
    Ok(scopes)
}

fn stored_scopes(text: &str) -> Vec<Scope> {
    text.split(' ').filter_map(Scope::parse).collect()
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

pub fn token_view(token: &api_token::Model) -> TokenView {
    TokenView {
        id: token.id,
        name: token.name.clone(),
        token_prefix: token.token_prefix.clone(),
        scopes: stored_scopes(&token.scopes),
        created_at: crate::server::services::rfc3339(&token.created_at),
        expires_at: token.expires_at.as_ref().map(crate::server::services::rfc3339),
        last_used_at: token.last_used_at.as_ref().map(crate::server::services::rfc3339),
        revoked: token.revoked_at.is_some(),
        kind: token.kind.clone(),
    }
}

/// What a request's bearer token was granted: a new token made with it may not exceed it.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenGrant {
    pub id: i32,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What a new token should be.
pub struct TokenRequest<'a> {
    pub name: &'a str,
    pub scopes: Vec<Scope>,
    pub expires_in_days: Option<u32>,
    pub kind: &'a str,
    /// The token the request came with, if it came with one: the new token gets no scope it lacks
    /// and does not outlive it.
    pub made_with: Option<&'a TokenGrant>,
}

/// A token cannot make a token that can do more or live longer than itself: a scope it lacks is
/// refused, and the new token's expiry is brought forward to its own (the answer shows when).
fn within_grant(
    grant: &TokenGrant,
    scopes: &[Scope],
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError> {
    if let Some(extra) = scopes.iter().find(|s| !crate::model::scopes_grant(&grant.scopes, **s)) {
        return Err(ServiceError::Forbidden(format!(
            "This token lacks the '{}' scope, so it cannot create a token that has it.",
            extra.as_str()
        )));
    }
    Ok(match (grant.expires_at, expires_at) {
        (Some(limit), None) => Some(limit),
        (Some(limit), Some(at)) => Some(at.min(limit)),
        (None, at) => at,
    })
}

pub async fn create_token(
    db: &impl ConnectionTrait,
    actor: &Actor,
    owner: &user::Model,
    request: TokenRequest<'_>,
) -> Result<CreatedToken, ServiceError> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Token name is required."));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(ServiceError::invalid(
            "name",
            format!("Token name must be at most {MAX_NAME_LEN} characters long."),
        ));
    }
    if request.scopes.is_empty() {
        return Err(ServiceError::invalid("scopes", "Choose at least one scope."));
    }
    let expires_at = match request.expires_in_days {
        Some(0) => return Err(ServiceError::invalid("expires_in_days", "expires_in_days must be at least 1.")),
        Some(days) if days > MAX_EXPIRY_DAYS => {
            return Err(ServiceError::invalid(
                "expires_in_days",
                format!("expires_in_days must be at most {MAX_EXPIRY_DAYS}."),
            ));
        }
        Some(days) => Some(chrono::Utc::now() + chrono::Duration::days(i64::from(days))),
        None => None,
    };
    let expires_at = match request.made_with {
        Some(grant) => within_grant(grant, &request.scopes, expires_at)?,
        None => expires_at,
    };
    purge_expired(db).await?;
    insert_token(db, actor, owner, name, &request.scopes, expires_at, request.kind).await
}

/// A short-lived token for `POST /api/auth/login`, with every scope (the role still limits it).
pub async fn create_login_token(
    db: &impl ConnectionTrait,
    actor: &Actor,
    owner: &user::Model,
    ttl: chrono::Duration,
) -> Result<CreatedToken, ServiceError> {
    let expires_at = Some(chrono::Utc::now() + ttl);
    purge_expired(db).await?;
    insert_token(db, actor, owner, "login", &Scope::ALL, expires_at, KIND_LOGIN).await
}

async fn insert_token(
    db: &impl ConnectionTrait,
    actor: &Actor,
    owner: &user::Model,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    kind: &str,
) -> Result<CreatedToken, ServiceError> {
    let token = new_token_text(kind);
    let row = api_token::ActiveModel {
        user_id: Set(owner.id),
        name: Set(name.to_string()),
        kind: Set(kind.to_string()),
        token_hash: Set(hash_token(&token)),
        token_prefix: Set(token.chars().take(8).collect()),
        scopes: Set(scopes_text(scopes)),
        created_at: Set(chrono::Utc::now()),
        expires_at: Set(expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if kind == KIND_PERSONAL {
        let detail = format!("scopes={}", row.scopes);
        audit::record(db, actor, Event { action: "token.created", target: name, success: true, detail: &detail })
            .await?;
    }
    Ok(CreatedToken { info: token_view(&row), token })
}

/// Resolves a bearer token to its user and scopes. Revoked, expired or unknown tokens, and tokens
/// of disabled users, all answer the same 401.
pub async fn authenticate_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<(user::Model, TokenGrant), ServiceError> {
    let invalid = || ServiceError::Unauthorized("Bad credentials: the token is invalid, expired or revoked.".into());
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_token(token)))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let Some((row, Some(owner))) = found else { return Err(invalid()) };
    let now = chrono::Utc::now();
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|at| at <= now) || !owner.is_active {
        return Err(invalid());
    }
    let grant = TokenGrant { id: row.id, scopes: stored_scopes(&row.scopes), expires_at: row.expires_at };
    // Record use at most once a minute, so that busy clients do not write on every request.
    if crate::server::services::last_use_is_stale(row.last_used_at, now) {
        let mut model: api_token::ActiveModel = row.into();
        model.last_used_at = Set(Some(now));
        model.update(db).await?;
    }
    Ok((owner, grant))
}

/// Expired tokens are of no use to anyone: they are deleted whenever a token is made.
pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, ServiceError> {
    let gone =
        api_token::Entity::delete_many().filter(api_token::Column::ExpiresAt.lt(chrono::Utc::now())).exec(db).await?;
    Ok(gone.rows_affected)
}

/// Ends every token of a user at once (a password, role or status change).
pub async fn revoke_all_of(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, ServiceError> {
    let ended = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(chrono::Utc::now())))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(ended.rows_affected)
}

/// The user's tokens that have not expired: personal ones and the login tokens of API clients
/// (`kind` tells them apart), newest first; both can be revoked.
pub async fn list_tokens(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<TokenView>, ServiceError> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::ExpiresAt.is_null().or(api_token::Column::ExpiresAt.gt(chrono::Utc::now())))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.iter().map(token_view).collect())
}

/// Revokes one of the user's own tokens. Another user's token id answers 404.
pub async fn revoke_token(
    db: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i32,
    token_id: i32,
) -> Result<(), ServiceError> {
    let row = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Token not found.".into()))?;
    let name = row.name.clone();
    if row.revoked_at.is_none() {
        let mut model: api_token::ActiveModel = row.into();
        model.revoked_at = Set(Some(chrono::Utc::now()));
        model.update(db).await?;
    }
    audit::record(db, actor, Event { action: "token.revoked", target: &name, success: true, detail: "" }).await?;
    Ok(())
}

/// Why the one-time token shown after a plain form post is sealed: it waits in the session (a
/// database row) for the page that shows it, and the database never holds a token in clear.
const FLASH_AAD: &str = "keyhaven:new-token-flash";

/// The created token sealed with the master key, to wait in the session for one page load.
pub fn seal_flash(master: &MasterKey, created: &CreatedToken) -> Result<String, ServiceError> {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(created).map_err(|e| ServiceError::Internal(e.to_string()))?);
    master.seal(&json, FLASH_AAD).map_err(|e| ServiceError::Internal(format!("sealing the token flash: {e}")))
}

/// The token sealed by [`seal_flash`], or None when it cannot be opened.
pub fn open_flash(master: &MasterKey, envelope: &str) -> Option<CreatedToken> {
    let json = master.open(envelope, FLASH_AAD).ok()?;
    serde_json::from_slice(&json).ok()
}
