//! Deleting a managed key without losing the connections that used it: they stay, without a key,
//! marked so the operator knows to deploy a new one. Here, not in `keys`, because it writes the
//! connections' table; the key's own row goes through the keys domain in the same transaction.

use crate::model::KeyUser;
use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use crate::server::services::audit::Actor;
use crate::server::services::changes::{Change, Changes};
use crate::server::services::keys;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait,
};

/// Shown on connections whose key was deleted (Borg UI's wording).
pub const KEY_DELETED_MESSAGE: &str = "SSH key deleted — deploy a new key to restore access";

/// Connections that use a key, for the confirmation before deleting it.
pub async fn key_users(db: &impl ConnectionTrait, key_id: i32) -> Result<Vec<KeyUser>, ServiceError> {
    let rows = ssh_connection::Entity::find().filter(ssh_connection::Column::SshKeyId.eq(key_id)).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|c| KeyUser { connection_id: c.id, target: format!("{}@{}:{}", c.username, c.host, c.port) })
        .collect())
}

/// Deletes a key. When connections use it, `confirmed` must be true (else 409 listing them); those
/// connections stay, marked so the operator knows to deploy a new key.
pub async fn delete_key(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    id: i32,
    confirmed: bool,
) -> Result<Vec<KeyUser>, ServiceError> {
    let existing = keys::get_key(db, id).await?;
    let users = key_users(db, id).await?;
    if !users.is_empty() && !confirmed {
        let list = users.iter().map(|u| u.target.as_str()).collect::<Vec<_>>().join(", ");
        return Err(ServiceError::conflict(
            "confirm",
            format!(
                "This key is used by {} connection(s): {list}. Delete it with confirmation; they will need a new key.",
                users.len()
            ),
        ));
    }
    let txn = db.begin().await?;
    for user in &users {
        let mut conn: ssh_connection::ActiveModel = ssh_connection::Entity::find_by_id(user.connection_id)
            .one(&txn)
            .await?
            .ok_or_else(|| ServiceError::NotFound("Connection vanished.".into()))?
            .into();
        conn.ssh_key_id = Set(None);
        conn.status = Set("failed".into());
        conn.error_message = Set(Some(KEY_DELETED_MESSAGE.into()));
        conn.updated_at = Set(chrono::Utc::now());
        conn.update(&txn).await?;
    }
    keys::remove_key(&txn, actor, &existing, users.len()).await?;
    txn.commit().await?;
    let touched: Vec<Change> =
        std::iter::once(Change::Key(id)).chain(users.iter().map(|u| Change::Connection(u.connection_id))).collect();
    changes.publish(&touched).await;
    Ok(users)
}
