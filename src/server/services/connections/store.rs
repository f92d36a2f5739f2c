//! Connections to remote hosts: who logs in where, with which key, and where the backups live.
//! Every field is checked here, because hosts, user names and paths end up in SSH sessions and
//! in `ssh_config` for other tools.

use crate::model::{ConnectionView, StorageView, format_bytes, percent_used};
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

pub use super::fields::{ConnectionFields, Patch, check_new, validate_path, validate_username};
use super::fields::{apply, apply_named};

/// `user@host:port`: how a connection is named in the audit log, alerts and the pages.
pub fn label(c: &ssh_connection::Model) -> String {
    label_of(&c.username, &c.host, c.port)
}

/// [`label`] from the parts, for a query that read only those.
pub fn label_of(username: &str, host: &str, port: i32) -> String {
    format!("{username}@{host}:{port}")
}

/// Creates a connection; its `ssh_config` block is written before this returns.
pub async fn create(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    fields: &ConnectionFields,
) -> Result<ssh_connection::Model, ServiceError> {
    let saved = insert_connection(db, actor, fields).await?;
    changes.publish(&[Change::Connection(saved.id)]).await;
    Ok(saved)
}

/// Creates a connection without a change notice: for a caller whose transaction goes on (quick
/// setup), which publishes once it has committed.
pub async fn insert_connection(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    fields: &ConnectionFields,
) -> Result<ssh_connection::Model, ServiceError> {
    Ok(insert_named(db, actor, fields).await?.0)
}

/// Creates a connection and answers with its view, built from what creating it read (no query
/// after the write): Borg UI's `POST …/connections`.
pub async fn create_view(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    fields: &ConnectionFields,
) -> Result<ConnectionView, ServiceError> {
    let (saved, key_name) = insert_named(db, actor, fields).await?;
    changes.publish(&[Change::Connection(saved.id)]).await;
    match key_name {
        Some(name) => Ok(to_view_named(&saved, name)),
        None => get_view(db, saved.id).await,
    }
}

async fn insert_named(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    fields: &ConnectionFields,
) -> Result<(ssh_connection::Model, Option<Option<String>>), ServiceError> {
    let (model, key_name) = apply_named(db, fields, None).await?;
    let txn = db.begin().await?;
    let saved = model.insert(&txn).await?;
    audit::record(
        &txn,
        actor,
        Event { action: "connection.created", target: &label(&saved), success: true, detail: "" },
    )
    .await?;
    txn.commit().await?;
    Ok((saved, key_name))
}

/// Marks a connection as working now, inside the caller's transaction: for quick setup, whose
/// deploy proved the key before the connection row existed.
pub async fn mark_connected(
    db: &impl ConnectionTrait,
    connection: ssh_connection::Model,
) -> Result<ssh_connection::Model, ServiceError> {
    let now = chrono::Utc::now();
    let mut model: ssh_connection::ActiveModel = connection.into();
    model.status = Set("connected".into());
    model.last_test = Set(Some(now));
    model.last_success = Set(Some(now));
    Ok(model.update(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<ssh_connection::Model, ServiceError> {
    ssh_connection::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Connection not found.".into()))
}

pub async fn update(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    id: i32,
    fields: &ConnectionFields,
) -> Result<ssh_connection::Model, ServiceError> {
    let current = get(db, id).await?;
    let model = apply(db, fields, Some(&current)).await?;
    if unchanged(&model, &current) {
        // An update that changes nothing writes nothing and records nothing.
        return Ok(current);
    }
    let txn = db.begin().await?;
    let saved = model.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Event { action: "connection.updated", target: &label(&saved), success: true, detail: "" },
    )
    .await?;
    txn.commit().await?;
    changes.publish(&[Change::Connection(id)]).await;
    Ok(saved)
}

/// Whether `model` holds the same values as `current`, the time of the update aside.
fn unchanged(model: &ssh_connection::ActiveModel, current: &ssh_connection::Model) -> bool {
    use sea_orm::TryIntoModel;
    model.clone().try_into_model().is_ok_and(|mut candidate| {
        candidate.updated_at = current.updated_at;
        candidate == *current
    })
}

pub async fn delete(db: &DatabaseConnection, changes: &Changes, actor: &Actor, id: i32) -> Result<(), ServiceError> {
    let current = get(db, id).await?;
    let txn = db.begin().await?;
    ssh_connection::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Event { action: "connection.deleted", target: &label(&current), success: true, detail: "" },
    )
    .await?;
    txn.commit().await?;
    changes.publish(&[Change::Connection(id)]).await;
    Ok(())
}

/// The connection and its key (None when the key was deleted).
pub async fn get_with_key(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<(ssh_connection::Model, Option<ssh_key::Model>), ServiceError> {
    ssh_connection::Entity::find_by_id(id)
        .find_also_related(ssh_key::Entity)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Connection not found.".into()))
}

/// One connection with its key's name, as the API answers after a change.
pub async fn get_view(db: &impl ConnectionTrait, id: i32) -> Result<ConnectionView, ServiceError> {
    let (connection, key) = get_with_key(db, id).await?;
    Ok(to_view(&connection, key.as_ref()))
}

pub fn to_view(c: &ssh_connection::Model, key: Option<&ssh_key::Model>) -> ConnectionView {
    to_view_named(c, key.map(|k| k.name.clone()))
}

/// The view of a connection whose key's name (if the key still exists) was read separately.
pub fn to_view_named(c: &ssh_connection::Model, ssh_key_name: Option<String>) -> ConnectionView {
    ConnectionView {
        id: c.id,
        ssh_key_id: c.ssh_key_id,
        ssh_key_name,
        host: c.host.clone(),
        username: c.username.clone(),
        port: u16::try_from(c.port).unwrap_or(22),
        use_sftp_mode: c.use_sftp_mode,
        use_sudo: c.use_sudo,
        default_path: c.default_path.clone(),
        ssh_path_prefix: c.ssh_path_prefix.clone(),
        mount_point: c.mount_point.clone(),
        status: c.status.clone(),
        last_test: c.last_test.as_ref().map(crate::server::services::rfc3339),
        last_success: c.last_success.as_ref().map(crate::server::services::rfc3339),
        error_message: c.error_message.clone(),
        storage: storage_view(c),
        created_at: crate::server::services::rfc3339(&c.created_at),
    }
}

/// The last measured storage usage, formatted for the API and the page.
fn storage_view(c: &ssh_connection::Model) -> Option<StorageView> {
    let size = |v: Option<i64>| v.and_then(|n| u64::try_from(n).ok());
    let (total, used, available) = (size(c.storage_total)?, size(c.storage_used)?, size(c.storage_available)?);
    Some(StorageView {
        total,
        total_formatted: format_bytes(total),
        used,
        used_formatted: format_bytes(used),
        available,
        available_formatted: format_bytes(available),
        percent_used: percent_used(used, total),
        last_check: c.storage_checked_at.as_ref().map(crate::server::services::rfc3339).unwrap_or_default(),
    })
}

/// A test cut short by a restart leaves `testing` behind; at start-up that becomes `unknown`.
pub async fn reset_interrupted_tests(db: &impl ConnectionTrait) -> Result<u64, ServiceError> {
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let result = ssh_connection::Entity::update_many()
        .col_expr(ssh_connection::Column::Status, Expr::value("unknown"))
        .filter(ssh_connection::Column::Status.eq("testing"))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
