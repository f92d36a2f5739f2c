//! Accounts: the first admin made by setup, users made by admins, roles, disabling, passwords.

use super::passwords::{hash_password, validate_new_password, verify_password};
use crate::model::{Role, UserView};
use crate::server::entities::{app_setting, user};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionTrait,
};

pub const MAX_USERNAME_LEN: usize = 64;
const SETUP_MARKER: &str = "first_admin_created";

/// Usernames are case-insensitive (stored lower-case) and URL-safe, because they appear in
/// `/users/{username}/keys`: letters, digits, `.`, `_` and `-`, starting with a letter or digit.
pub fn normalize_username(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim().to_ascii_lowercase();
    if name.is_empty() {
        return Err(ServiceError::invalid("username", "Username is required."));
    }
    if name.chars().count() > MAX_USERNAME_LEN {
        return Err(ServiceError::invalid(
            "username",
            format!("Username must be at most {MAX_USERNAME_LEN} characters long."),
        ));
    }
    let valid_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let valid_start = name.starts_with(|c: char| c.is_ascii_alphanumeric());
    if !valid_chars || !valid_start {
        return Err(ServiceError::invalid(
            "username",
            "Username may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit.",
        ));
    }
    Ok(name)
}

pub fn role_of(user: &user::Model) -> Role {
    Role::parse(&user.role).unwrap_or(Role::Viewer)
}

pub fn user_view(user: &user::Model) -> UserView {
    UserView {
        id: user.id,
        username: user.username.clone(),
        role: role_of(user),
        is_active: user.is_active,
        created_at: crate::server::services::rfc3339(&user.created_at),
        last_login_at: user.last_login_at.as_ref().map(crate::server::services::rfc3339),
    }
}

/// Whether setup is finished: an admin exists or setup's one-time marker is set.
pub async fn setup_done(db: &impl ConnectionTrait) -> Result<bool, ServiceError> {
    let marker = app_setting::Entity::find_by_id(SETUP_MARKER).one(db).await?.is_some();
    Ok(marker || admin_count(db, None).await? > 0)
}

async fn admin_count(db: &impl ConnectionTrait, except: Option<i32>) -> Result<u64, ServiceError> {
    let mut query = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::IsActive.eq(true));
    if let Some(id) = except {
        query = query.filter(user::Column::Id.ne(id));
    }
    Ok(query.count(db).await?)
}

/// Creates the first admin, once. The marker row is written first so that two concurrent setups
/// serialise on its primary key: exactly one wins, the other gets 409.
pub async fn create_first_admin(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    client_addr: &str,
) -> Result<user::Model, ServiceError> {
    let username = normalize_username(username)?;
    validate_new_password(password)?;
    if setup_done(db).await? {
        return Err(setup_closed());
    }
    let hash = hash_password(password).await?;
    let txn = db.begin().await?;
    let marker = app_setting::ActiveModel { key: Set(SETUP_MARKER.into()), value: Set("true".into()) };
    if let Err(err) = marker.insert(&txn).await {
        return Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => setup_closed(),
            _ => err.into(),
        });
    }
    if admin_count(&txn, None).await? > 0 {
        return Err(setup_closed());
    }
    let created = insert_user(&txn, &username, hash, Role::Admin).await?;
    let actor = Actor { id: Some(created.id), name: created.username.clone(), client_addr: client_addr.into() };
    audit::record(
        &txn,
        &actor,
        Event { action: "setup.admin_created", target: &created.username, success: true, detail: "" },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

fn setup_closed() -> ServiceError {
    ServiceError::conflict("username", "Setup is already complete; sign in and ask an admin for an account.")
}

async fn insert_user(
    db: &impl ConnectionTrait,
    username: &str,
    password_hash: String,
    role: Role,
) -> Result<user::Model, ServiceError> {
    let model = user::ActiveModel {
        username: Set(username.to_string()),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_string()),
        is_active: Set(true),
        auth_version: Set(1),
        created_at: Set(chrono::Utc::now()),
        last_login_at: Set(None),
        ..Default::default()
    };
    model.insert(db).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::conflict("username", format!("The username '{username}' is already taken."))
        }
        _ => err.into(),
    })
}

/// An admin (or the command line) creates an account.
pub async fn create_user(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    password: &str,
    role: Role,
) -> Result<user::Model, ServiceError> {
    let username = normalize_username(username)?;
    validate_new_password(password)?;
    let hash = hash_password(password).await?;
    let txn = db.begin().await?;
    let created = insert_user(&txn, &username, hash, role).await?;
    if role == Role::Admin {
        // An admin made on the command line also closes setup.
        let marker = app_setting::ActiveModel { key: Set(SETUP_MARKER.into()), value: Set("true".into()) };
        if app_setting::Entity::find_by_id(SETUP_MARKER).one(&txn).await?.is_none() {
            marker.insert(&txn).await?;
        }
    }
    let detail = format!("role={role}");
    audit::record(
        &txn,
        actor,
        Event { action: "user.created", target: &created.username, success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, ServiceError> {
    Ok(user::Entity::find().order_by_asc(user::Column::Username).all(db).await?)
}

pub async fn get_user(db: &impl ConnectionTrait, id: i32) -> Result<user::Model, ServiceError> {
    user::Entity::find_by_id(id).one(db).await?.ok_or_else(|| ServiceError::NotFound("User not found.".into()))
}

pub async fn find_by_username(db: &impl ConnectionTrait, username: &str) -> Result<Option<user::Model>, ServiceError> {
    let Ok(name) = normalize_username(username) else { return Ok(None) };
    Ok(user::Entity::find().filter(user::Column::Username.eq(name)).one(db).await?)
}

/// What an admin may change about an account; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub password: Option<String>,
}

/// Applies changes. The last active admin can be neither demoted nor disabled, so Keyhaven always
/// keeps someone who can administer it. Any change ends the user's existing sessions and tokens'
/// effect through `auth_version`.
pub async fn update_user(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: UserChanges,
) -> Result<user::Model, ServiceError> {
    if let Some(password) = &changes.password {
        validate_new_password(password)?;
    }
    let new_hash = match &changes.password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let txn = db.begin().await?;
    let existing = get_user(&txn, id).await?;
    let loses_admin = role_of(&existing) == Role::Admin
        && existing.is_active
        && (changes.role == Some(Role::Viewer) || changes.is_active == Some(false));
    if loses_admin && admin_count(&txn, Some(id)).await? == 0 {
        return Err(ServiceError::conflict("role", "This is the last active admin; make another admin first."));
    }
    let mut parts = Vec::new();
    let mut model: user::ActiveModel = existing.clone().into();
    if let Some(role) = changes.role.filter(|role| *role != role_of(&existing)) {
        model.role = Set(role.as_str().into());
        parts.push(format!("role={role}"));
    }
    if let Some(active) = changes.is_active.filter(|active| *active != existing.is_active) {
        model.is_active = Set(active);
        parts.push(format!("active={active}"));
    }
    if let Some(hash) = new_hash {
        model.password_hash = Set(hash);
        parts.push("password reset".to_string());
    }
    if parts.is_empty() {
        // Nothing changes: sessions and tokens live on, and nothing is recorded.
        return Ok(existing);
    }
    model.auth_version = Set(existing.auth_version + 1);
    let updated = model.update(&txn).await?;
    // Sessions end through auth_version; tokens are ended here, in the same transaction.
    super::tokens::revoke_all_of(&txn, id).await?;
    let detail = parts.join(", ");
    audit::record(
        &txn,
        actor,
        Event { action: "user.updated", target: &updated.username, success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes an account and its tokens. Nobody deletes themselves or the last active admin.
pub async fn delete_user(db: &DatabaseConnection, actor: &Actor, id: i32) -> Result<(), ServiceError> {
    if actor.id == Some(id) {
        return Err(ServiceError::conflict("id", "You cannot delete your own account."));
    }
    let txn = db.begin().await?;
    let existing = get_user(&txn, id).await?;
    if role_of(&existing) == Role::Admin && existing.is_active && admin_count(&txn, Some(id)).await? == 0 {
        return Err(ServiceError::conflict("id", "This is the last active admin and cannot be deleted."));
    }
    user::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, actor, Event { action: "user.deleted", target: &existing.username, success: true, detail: "" })
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks a username and password. Every failure looks the same to the caller.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
) -> Result<user::Model, ServiceError> {
    let found = find_by_username(db, username).await?;
    let hash = found.as_ref().map(|u| u.password_hash.as_str());
    let password_ok = verify_password(password, hash).await?;
    match found {
        Some(user) if password_ok && user.is_active => {
            let mut model: user::ActiveModel = user.into();
            model.last_login_at = Set(Some(chrono::Utc::now()));
            Ok(model.update(db).await?)
        }
        _ => Err(ServiceError::Unauthorized("Incorrect username or password.".into())),
    }
}
