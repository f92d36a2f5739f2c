//! The check history of each connection: every Test (and, when the scheduler lands, every
//! scheduled check) leaves one row with its classified reason, the stage that stopped it and the
//! time each stage took, so "why is this red, and since when?" has an answer.

use super::probe::TestReport;
use crate::model::Page;
use crate::server::entities::connection_check;
use crate::server::error::ServiceError;
use crate::server::services::paging;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

/// What started a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The Test button, `POST …/test` or a Borg UI test-connection.
    Manual,
    /// The health scheduler.
    Scheduled,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Scheduled => "scheduled",
        }
    }
}

/// Storage measured during a check: bytes used and in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub used: i64,
    pub total: i64,
}

/// Keeps the outcome of one check of `connection_id` (the health domain prunes old ones).
pub async fn record(
    db: &impl sea_orm::ConnectionTrait,
    connection_id: i32,
    trigger: Trigger,
    report: &TestReport,
    storage: Option<Measured>,
) -> Result<(), ServiceError> {
    let now = chrono::Utc::now();
    let failed_stage = report.stages.iter().find(|s| s.status == "failed").map(|s| s.name.clone());
    let message = report.error.clone().or_else(|| report.note.clone());
    let stages = serde_json::to_string(&report.stages).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let row = connection_check::ActiveModel {
        connection_id: Set(connection_id),
        checked_at: Set(now),
        trigger: Set(trigger.as_str().into()),
        healthy: Set(report.connected),
        reason: Set(report.reason.into()),
        stage: Set(failed_stage),
        message: Set(message),
        duration_ms: Set(i64::try_from(report.millis).unwrap_or(i64::MAX)),
        stages: Set(stages),
        storage_used: Set(storage.map(|s| s.used)),
        storage_total: Set(storage.map(|s| s.total)),
        ..Default::default()
    };
    connection_check::Entity::insert(row).exec(db).await?;
    Ok(())
}

/// Forgets every check older than `before`; answers how many went.
pub async fn prune_checks(db: &DatabaseConnection, before: chrono::DateTime<chrono::Utc>) -> Result<u64, ServiceError> {
    let pruned =
        connection_check::Entity::delete_many().filter(connection_check::Column::CheckedAt.lt(before)).exec(db).await?;
    Ok(pruned.rows_affected)
}

/// Page `page` of the checks of `connection_id`, newest first.
pub async fn checks(
    db: &DatabaseConnection,
    connection_id: i32,
    per_page: u64,
    page: u64,
) -> Result<Page<connection_check::Model>, ServiceError> {
    let select = connection_check::Entity::find()
        .filter(connection_check::Column::ConnectionId.eq(connection_id))
        .order_by_desc(connection_check::Column::CheckedAt)
        .order_by_desc(connection_check::Column::Id);
    paging::fetch(db, select, per_page, page).await
}

/// The last `hours` hours of each of `ids` as one character per hour, oldest first (see
/// `model::HOUR_STRIP`): the card's status strip, from one query over the page's connections.
pub async fn hour_strips(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[i32],
    now: chrono::DateTime<chrono::Utc>,
    hours: usize,
) -> Result<std::collections::HashMap<i32, String>, ServiceError> {
    use sea_orm::QuerySelect;
    let since = now - chrono::Duration::hours(i64::try_from(hours).unwrap_or(72));
    let rows: Vec<(i32, chrono::DateTime<chrono::Utc>, bool)> = connection_check::Entity::find()
        .select_only()
        .columns([connection_check::Column::ConnectionId, connection_check::Column::CheckedAt])
        .column(connection_check::Column::Healthy)
        .filter(connection_check::Column::ConnectionId.is_in(ids.iter().copied()))
        .filter(connection_check::Column::CheckedAt.gt(since))
        .into_tuple()
        .all(db)
        .await?;
    let mut buckets: std::collections::HashMap<i32, Vec<(bool, bool)>> =
        ids.iter().map(|&id| (id, vec![(false, false); hours])).collect();
    for (id, at, healthy) in rows {
        let age = usize::try_from((now - at).num_hours()).unwrap_or(0);
        let Some(slots) = buckets.get_mut(&id) else { continue };
        let Some(slot) = hours.checked_sub(age + 1).and_then(|i| slots.get_mut(i)) else { continue };
        if healthy { slot.0 = true } else { slot.1 = true }
    }
    Ok(buckets.into_iter().map(|(id, slots)| (id, crate::model::encode_hours(&slots))).collect())
}
