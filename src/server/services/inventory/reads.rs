//! Reading a connection's `authorized_keys` (read only, over SFTP or the shell as the connection
//! is set), keeping each read, and the view of the newest read classified against what Keyhaven
//! knows now — so a key imported after the read shows with its owner without reading again.

use super::classify::{classify, drift};
use super::known::known;
use crate::model::{InventoryDrift, InventoryView};
use crate::server::entities::{inventory_read, ssh_connection};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::connections;
use crate::server::services::remote::{SshGate, ssh_failure};
use crate::server::services::rfc3339;
use crate::server::ssh::authorized_file::AuthorizedFile;
use crate::server::ssh::read_authorized::Found;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Reads kept per connection: enough to compare and to look back a little.
const KEPT: usize = 20;

/// What the read found: the file (None when missing), or why it could not be read.
type Outcome = Result<Option<String>, String>;

/// The words of a failure that are safe to keep and show (the detail of an internal error is
/// logged, not kept).
fn failure_text(err: ServiceError) -> String {
    match err {
        ServiceError::Invalid { message, .. } | ServiceError::Conflict { message, .. } => message,
        ServiceError::Remote { message, .. } | ServiceError::NotFound(message) => message,
        other => {
            tracing::warn!(error = %other, "an inventory read failed");
            "The file could not be read (an internal error; see the server log).".into()
        }
    }
}

async fn read_remote(db: &DatabaseConnection, gate: &SshGate, master: &MasterKey, id: i32) -> Outcome {
    // The slot inside `opened` is held until the session is closed.
    let opened = connections::open_connection(db, gate, master, id).await.map_err(failure_text)?;
    let found = async {
        let file = AuthorizedFile::open(&opened.session, opened.connection.use_sftp_mode).await?;
        let found = file.read().await;
        file.close().await;
        found
    }
    .await;
    opened.session.close().await;
    match found.map_err(|e| failure_text(ssh_failure("session", e)))? {
        Found::File(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Found::Missing => Ok(None),
    }
}

/// Reads connection `id`'s `authorized_keys` now, keeps the read (a failed read too, with its
/// reason) and returns it classified. Nothing on the host is changed.
pub async fn read(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    id: i32,
) -> Result<InventoryView, ServiceError> {
    let connection = connections::get(db, id).await?;
    let outcome = read_remote(db, gate, master, id).await;
    let (content, file_exists, error) = match outcome {
        Ok(Some(text)) => (Some(text), true, None),
        Ok(None) => (None, false, None),
        Err(why) => (None, false, Some(why)),
    };
    let saved = inventory_read::ActiveModel {
        connection_id: Set(id),
        read_at: Set(chrono::Utc::now()),
        content: Set(content),
        file_exists: Set(file_exists),
        error: Set(error),
        ..Default::default()
    }
    .insert(db)
    .await?;
    prune(db, id).await?;
    let view = view_of(db, &connection, &saved).await?;
    let target = connections::label(&connection);
    let detail = match &view.error {
        Some(why) => why.clone(),
        None => format!(
            "{} keys: {} this Keyhaven's, {} people's, {} deploy keys, {} another Keyhaven's, {} unknown{}",
            view.counts.keys,
            view.counts.keyhaven,
            view.counts.person,
            view.counts.deploy_key,
            view.counts.other_keyhaven,
            view.counts.unknown,
            view.drift.as_ref().map_or(String::new(), |d| format!(
                "; since the read before: {} added, {} removed",
                d.added.len(),
                d.removed.len()
            ))
        ),
    };
    let event = Event { action: "inventory.read", target: &target, success: view.error.is_none(), detail: &detail };
    audit::record(db, actor, event).await?;
    Ok(view)
}

async fn prune(db: &impl ConnectionTrait, id: i32) -> Result<(), ServiceError> {
    let old: Vec<i32> = inventory_read::Entity::find()
        .filter(inventory_read::Column::ConnectionId.eq(id))
        .order_by_desc(inventory_read::Column::ReadAt)
        .order_by_desc(inventory_read::Column::Id)
        .select_only()
        .column(inventory_read::Column::Id)
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .skip(KEPT)
        .collect();
    if !old.is_empty() {
        inventory_read::Entity::delete_many().filter(inventory_read::Column::Id.is_in(old)).exec(db).await?;
    }
    Ok(())
}

/// The newest read of connection `id`, classified; None before the first read.
pub async fn latest(db: &DatabaseConnection, id: i32) -> Result<Option<InventoryView>, ServiceError> {
    let connection = connections::get(db, id).await?;
    let newest = inventory_read::Entity::find()
        .filter(inventory_read::Column::ConnectionId.eq(id))
        .order_by_desc(inventory_read::Column::ReadAt)
        .order_by_desc(inventory_read::Column::Id)
        .one(db)
        .await?;
    match newest {
        Some(row) => Ok(Some(view_of(db, &connection, &row).await?)),
        None => Ok(None),
    }
}

async fn view_of(
    db: &impl ConnectionTrait,
    connection: &ssh_connection::Model,
    row: &inventory_read::Model,
) -> Result<InventoryView, ServiceError> {
    let content = row.content.as_deref().unwrap_or("");
    let (lines, counts) = classify(content, &known(db).await?);
    let before = inventory_read::Entity::find()
        .filter(inventory_read::Column::ConnectionId.eq(row.connection_id))
        .filter(inventory_read::Column::Id.lt(row.id))
        .filter(inventory_read::Column::Error.is_null())
        .order_by_desc(inventory_read::Column::Id)
        .one(db)
        .await?;
    let drift = match (&row.error, before) {
        (None, Some(before)) => {
            let (added, removed) = drift(before.content.as_deref().unwrap_or(""), content);
            Some(InventoryDrift { since: rfc3339(&before.read_at), added, removed })
        }
        _ => None,
    };
    Ok(InventoryView {
        connection_id: connection.id,
        connection: connections::label(connection),
        read_at: rfc3339(&row.read_at),
        file_exists: row.file_exists,
        error: row.error.clone(),
        lines,
        counts,
        drift,
    })
}
