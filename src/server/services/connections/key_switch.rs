//! Moving a connection from one managed key to another: key rotation's switch step, taken once the
//! new key has been proven to log in. Conditional on the key the connection uses, so a connection
//! an operator changed meanwhile is never switched behind their back.

use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

/// Which key a connection uses after `switch_key`.
#[derive(Debug, PartialEq, Eq)]
pub enum Switched {
    /// It uses `to` (now, or already before).
    Done,
    /// It uses neither key any more (or was deleted): left alone.
    Elsewhere,
}

/// Moves connection `id` from key `from` to key `to`, only if it still uses `from`.
pub async fn switch_key(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    id: i32,
    from: i32,
    to: i32,
) -> Result<Switched, ServiceError> {
    let txn = db.begin().await?;
    let moved = ssh_connection::Entity::update_many()
        .col_expr(ssh_connection::Column::SshKeyId, Expr::value(to))
        .col_expr(ssh_connection::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(ssh_connection::Column::Id.eq(id))
        .filter(ssh_connection::Column::SshKeyId.eq(from))
        .exec(&txn)
        .await?
        .rows_affected;
    let now_uses = ssh_connection::Entity::find_by_id(id).one(&txn).await?.and_then(|c| c.ssh_key_id);
    if moved > 0 {
        let detail = format!("key {from} → key {to}");
        let target = format!("connection {id}");
        audit::record(
            &txn,
            actor,
            Event { action: "connection.key_switched", target: &target, success: true, detail: &detail },
        )
        .await?;
    }
    txn.commit().await?;
    if moved > 0 {
        changes.publish(&[Change::Connection(id)]).await;
    }
    Ok(if now_uses == Some(to) { Switched::Done } else { Switched::Elsewhere })
}
