//! The end of a key rotation: the successor takes the old key's place (its name, description and
//! the system slot) and the old key's row goes, in one transaction. The rotation domain calls this
//! only when no connection uses the old key any more.

use super::store::{get_key, remove_key};
use crate::server::entities::ssh_key;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};

/// Retires key `old_id`; key `new_id` takes its name, description and system slot.
pub async fn succeed(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    old_id: i32,
    new_id: i32,
) -> Result<ssh_key::Model, ServiceError> {
    let txn = db.begin().await?;
    let old = get_key(&txn, old_id).await?;
    let new = get_key(&txn, new_id).await?;
    remove_key(&txn, actor, &old, 0).await?;
    let mut successor: ssh_key::ActiveModel = new.clone().into();
    successor.name = Set(old.name.clone());
    successor.description = Set(old.description.clone());
    successor.system_slot = Set(old.system_slot);
    // The period goes on with the key's name: the next rotation is a period after this one.
    successor.rotation_period_days = Set(old.rotation_period_days);
    successor.auto_rotate = Set(old.auto_rotate);
    successor.updated_at = Set(chrono::Utc::now());
    let successor = successor.update(&txn).await?;
    let detail = format!("{} replaced {} (was named {})", successor.fingerprint, old.fingerprint, new.name);
    audit::record(
        &txn,
        actor,
        Event { action: "ssh_key.rotated", target: &successor.name, success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    changes.publish(&[Change::Key(old_id), Change::Key(new_id)]).await;
    Ok(successor)
}
