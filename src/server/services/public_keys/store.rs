//! People's public keys and repositories' deploy keys. Both kinds live in one table whose unique
//! fingerprint makes a key usable in one place only (GitHub's "key is already in use").

use super::cache::KeyListCache;
use super::owner::KeyOwner;
use crate::model::PublicKeyView;
use crate::server::entities::{public_key, user};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::ssh::public_key::{self as parser, KeyPolicy, PublicKeyError};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Set, SqlErr, TransactionTrait,
};

const MAX_TITLE: usize = 255;

/// One page of a list: `page` counts from 1; `per_page` is already capped by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

/// A page of results and how many there are in all (for the `Link` header's last page).
#[derive(Clone, Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// A key to add, as the request gave it.
pub struct NewPublicKey<'a> {
    pub title: Option<&'a str>,
    pub key: Option<&'a str>,
    pub read_only: bool,
}

/// GitHub's wording for a key that fails to parse, followed by the specific reason.
fn key_invalid(err: PublicKeyError) -> ServiceError {
    if err == PublicKeyError::Empty {
        return ServiceError::invalid("key", "Key is required");
    }
    ServiceError::invalid("key", format!("Key is invalid. It must begin with 'ssh-rsa', 'ssh-ed25519', etc. ({err})"))
}

/// Titles are one printable line; a missing title becomes the key's comment or its type.
fn title_for(raw: Option<&str>, parsed: &parser::ParsedPublicKey) -> Result<String, ServiceError> {
    let title = raw.map(str::trim).unwrap_or_default();
    if title.chars().count() > MAX_TITLE || title.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "title",
            format!("Title must be one line of at most {MAX_TITLE} characters"),
        ));
    }
    Ok(match (title.is_empty(), parsed.comment.is_empty()) {
        (false, _) => title.to_string(),
        (true, false) => parsed.comment.chars().take(MAX_TITLE).collect(),
        (true, true) => parsed.key_type.clone(),
    })
}

/// Adds a key after parsing it against the policy. Nothing is stored when anything is wrong.
pub async fn add_key(
    db: &DatabaseConnection,
    cache: &KeyListCache,
    policy: &KeyPolicy,
    actor: &Actor,
    owner: KeyOwner,
    new: NewPublicKey<'_>,
    audit_target: &str,
) -> Result<public_key::Model, ServiceError> {
    let parsed = parser::parse(new.key.unwrap_or_default(), policy).map_err(key_invalid)?;
    let title = title_for(new.title, &parsed)?;
    let (user_id, repository_id, read_only) = match owner {
        KeyOwner::User(id) => (Some(id), None, false),
        KeyOwner::Repository(id) => (None, Some(id), new.read_only),
    };
    let row = public_key::ActiveModel {
        user_id: Set(user_id),
        repository_id: Set(repository_id),
        title: Set(title),
        key_type: Set(parsed.key_type.clone()),
        bits: Set(i32::try_from(parsed.bits).unwrap_or(i32::MAX)),
        key: Set(parsed.key.clone()),
        comment: Set(parsed.comment.clone()),
        fingerprint: Set(parsed.fingerprint.clone()),
        read_only: Set(read_only),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    let txn = db.begin().await?;
    let saved = row.insert(&txn).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ServiceError::conflict("key", "Key is already in use"),
        _ => err.into(),
    })?;
    let action = if repository_id.is_some() { "deploy_key.added" } else { "public_key.added" };
    let detail = format!("{} {} {}", saved.key_type, saved.fingerprint, saved.title);
    audit::record(&txn, actor, Event { action, target: audit_target, success: true, detail: &detail }).await?;
    txn.commit().await?;
    cache.invalidate(owner);
    Ok(saved)
}

fn owned_by(owner: KeyOwner) -> Select<public_key::Entity> {
    let find = public_key::Entity::find();
    match owner {
        KeyOwner::User(id) => find.filter(public_key::Column::UserId.eq(id)),
        KeyOwner::Repository(id) => find.filter(public_key::Column::RepositoryId.eq(id)),
    }
}

/// A page of an owner's keys, oldest first, optionally only the one with `fingerprint`. Served
/// from the key list cache: these lists are what provisioning tools poll.
pub async fn list_keys(
    db: &impl ConnectionTrait,
    cache: &KeyListCache,
    owner: KeyOwner,
    fingerprint: Option<&str>,
    page: PageRequest,
) -> Result<KeyPage, ServiceError> {
    let all = cache.get_or_load(owner, || all_keys(db, owner)).await?;
    let matching = all.iter().enumerate().filter(|(_, k)| fingerprint.is_none_or(|fp| k.fingerprint == fp));
    let total = u64::try_from(matching.clone().count()).unwrap_or(u64::MAX);
    let skip = usize::try_from(page.page.saturating_sub(1).saturating_mul(page.per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(page.per_page).unwrap_or(usize::MAX);
    let picked = matching.skip(skip).take(take).map(|(index, _)| index).collect();
    Ok(KeyPage { all, picked, total })
}

/// A page of keys that borrows the cached list instead of copying a hundred rows per request.
pub struct KeyPage {
    all: std::sync::Arc<Vec<public_key::Model>>,
    picked: Vec<usize>,
    pub total: u64,
}

impl KeyPage {
    pub fn items(&self) -> impl Iterator<Item = &public_key::Model> {
        self.picked.iter().filter_map(|&index| self.all.get(index))
    }
}

/// One page of `query`. The total is counted only when the page cannot tell it: a page that is
/// not full ends the list, which saves a query on the common case (a person has a few keys).
pub async fn fetch_page<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageRequest,
) -> Result<Paged<E::Model>, ServiceError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let offset = page.page.saturating_sub(1).saturating_mul(page.per_page);
    let items = query.clone().offset(offset).limit(page.per_page).all(db).await?;
    let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let total = if len < page.per_page && (len > 0 || offset == 0) { offset + len } else { query.count(db).await? };
    Ok(Paged { items, total })
}

/// One key of this owner. Someone else's key id is "not found", so ids leak nothing.
pub async fn get_key(db: &impl ConnectionTrait, owner: KeyOwner, id: i32) -> Result<public_key::Model, ServiceError> {
    owned_by(owner)
        .filter(public_key::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Not Found".into()))
}

pub async fn delete_key(
    db: &DatabaseConnection,
    cache: &KeyListCache,
    actor: &Actor,
    owner: KeyOwner,
    id: i32,
    audit_target: &str,
) -> Result<(), ServiceError> {
    let txn = db.begin().await?;
    let key = get_key(&txn, owner, id).await?;
    public_key::Entity::delete_by_id(key.id).exec(&txn).await?;
    let action = if key.repository_id.is_some() { "deploy_key.deleted" } else { "public_key.deleted" };
    let detail = format!("{} {} {}", key.key_type, key.fingerprint, key.title);
    audit::record(&txn, actor, Event { action, target: audit_target, success: true, detail: &detail }).await?;
    txn.commit().await?;
    cache.invalidate(owner);
    Ok(())
}

/// The keys anyone may read for a user (what `GET /users/{username}/keys` serves). A disabled
/// account answers "not found": provisioning tools must not grant it access.
pub async fn keys_of_username(
    db: &impl ConnectionTrait,
    cache: &KeyListCache,
    username: &str,
    page: Option<PageRequest>,
) -> Result<(user::Model, KeyPage), ServiceError> {
    let not_found = || ServiceError::NotFound("Not Found".into());
    let user = crate::server::services::accounts::find_by_username(db, username)
        .await?
        .filter(|u| u.is_active)
        .ok_or_else(not_found)?;
    let page = page.unwrap_or(PageRequest { page: 1, per_page: u64::MAX / 2 });
    let keys = list_keys(db, cache, KeyOwner::User(user.id), None, page).await?;
    Ok((user, keys))
}

pub fn public_key_view(key: &public_key::Model) -> PublicKeyView {
    PublicKeyView {
        id: key.id,
        title: key.title.clone(),
        key_type: key.key_type.clone(),
        bits: key.bits,
        key: key.key.clone(),
        comment: key.comment.clone(),
        fingerprint: key.fingerprint.clone(),
        read_only: key.read_only,
        created_at: crate::server::services::rfc3339(&key.created_at),
    }
}

/// Every key of an owner, for the pages (a person has a handful; a repository a few).
pub async fn all_keys(db: &impl ConnectionTrait, owner: KeyOwner) -> Result<Vec<public_key::Model>, ServiceError> {
    Ok(owned_by(owner).order_by_asc(public_key::Column::Id).all(db).await?)
}
