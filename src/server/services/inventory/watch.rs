//! The inventory on the health schedule: after a healthy scheduled check, a connection whose last
//! read is older than `inventory_interval_secs` is read again, and a change Keyhaven did not make
//! is described for an alert. Keyhaven's own changes are expected and left out: a key of its own
//! added (a deploy, a rotation's new key), a key a rotation retired removed.

use super::classify::Known;
use super::known::known;
use super::reads::read;
use crate::model::{class, class_label};
use crate::server::entities::inventory_read;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::Actor;
use crate::server::services::remote::SshGate;
use crate::server::ssh::authorized_lines::{Entry, parse};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// When connection `id`'s authorized_keys was last read (or tried), if ever.
async fn last_read(db: &DatabaseConnection, id: i32) -> Result<Option<chrono::DateTime<Utc>>, ServiceError> {
    Ok(inventory_read::Entity::find()
        .select_only()
        .column(inventory_read::Column::ReadAt)
        .filter(inventory_read::Column::ConnectionId.eq(id))
        .order_by_desc(inventory_read::Column::ReadAt)
        .into_tuple()
        .one(db)
        .await?)
}

/// `type SHA256:… (whose)` for a grant (options and `type base64`) Keyhaven did not expect to
/// change; None when it did (`added`: a key of its own; removed: a key a rotation retired).
fn unexpected(grant: &str, known: &Known, added: bool) -> Option<String> {
    let Some(Entry::Key(key)) = parse(grant.as_bytes()).into_iter().next().map(|l| l.entry) else {
        return Some(grant.chars().take(80).collect());
    };
    let holder = known.get(&key.fingerprint);
    match (added, holder.map(|h| h.class)) {
        (true, Some(class::KEYHAVEN)) | (false, Some(class::OTHER_KEYHAVEN)) => None,
        (_, Some(whose)) => {
            let name = holder.map(|h| h.name.as_str()).unwrap_or_default();
            Some(format!("{} {} ({}: {name})", key.key_type, key.fingerprint, class_label(whose)))
        }
        (_, None) => Some(format!("{} {} (unknown)", key.key_type, key.fingerprint)),
    }
}

/// Reads connection `id`'s authorized_keys when its last read is at least `every` old, and
/// describes what changed since the read before that Keyhaven did not do; None when nothing was
/// due, nothing changed, or the read failed (the check reports a host that cannot be reached).
pub async fn watch(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    every: Duration,
) -> Result<Option<String>, ServiceError> {
    if every <= Duration::zero() || last_read(db, id).await?.is_some_and(|at| Utc::now() - at < every) {
        return Ok(None);
    }
    let view = read(db, gate, master, &Actor::system(), id).await?;
    let Some(drift) = view.drift else { return Ok(None) };
    let known = known(db).await?;
    let added: Vec<String> = drift.added.iter().filter_map(|g| unexpected(g, &known, true)).collect();
    let removed: Vec<String> = drift.removed.iter().filter_map(|g| unexpected(g, &known, false)).collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(None);
    }
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", removed.join(", ")));
    }
    Ok(Some(format!(
        "{}: authorized_keys changed since the read of {}: {}.",
        view.connection,
        drift.since,
        parts.join("; ")
    )))
}
