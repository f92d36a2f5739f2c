//! API tokens: personal access tokens (made on the API tokens page) and login tokens (from
//! `POST /api/auth/login`). Only a SHA-256 of each token is stored; the token is shown once.

use super::audit::{self, Actor, Event};
use crate::model::{CreatedToken, Scope, TokenView};
use crate::server::entities::{api_token, user};
use crate::server::error::ServiceError;
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

pub fn to_view(token: &api_token::Model) -> TokenView {
    TokenView {
        id: token.id,
        name: token.name.clone(),
        token_prefix: token.token_prefix.clone(),
        scopes: stored_scopes(&token.scopes),
        created_at: super::rfc3339(&token.created_at),
        expires_at: token.expires_at.as_ref().map(super::rfc3339),
        last_used_at: token.last_used_at.as_ref().map(super::rfc3339),
        revoked: token.revoked_at.is_some(),
    }
}

/// What a new token should be.
pub struct TokenRequest<'a> {
    pub name: &'a str,
    pub scopes: Vec<Scope>,
    pub expires_in_days: Option<u32>,
    pub kind: &'a str,
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
    Ok(CreatedToken { info: to_view(&row), token })
}

/// Resolves a bearer token to its user and scopes. Revoked, expired or unknown tokens, and tokens
/// of disabled users, all answer the same 401.
pub async fn authenticate_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<(user::Model, Vec<Scope>), ServiceError> {
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
    // Record use at most once a minute, so that busy clients do not write on every request.
    if row.last_used_at.is_none_or(|at| now - at > chrono::Duration::seconds(60)) {
        let scopes = row.scopes.clone();
        let mut model: api_token::ActiveModel = row.into();
        model.last_used_at = Set(Some(now));
        model.update(db).await?;
        return Ok((owner, stored_scopes(&scopes)));
    }
    Ok((owner, stored_scopes(&row.scopes)))
}

pub async fn list_tokens(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<TokenView>, ServiceError> {
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::Kind.eq(KIND_PERSONAL))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.iter().map(to_view).collect())
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
