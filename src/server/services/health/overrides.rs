//! A connection's own check interval: the global one (none set), its own, or off. Setting it
//! moves the next check so the new interval counts from the last check, not from the old plan.

use super::schedule::offset;
use crate::model::ScheduleView;
use crate::server::entities::check_schedule;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::{connections, rfc3339};
use chrono::{Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, Set, TransactionTrait};

/// The shortest own interval: a check a minute is already more than any host needs.
pub const MIN_INTERVAL_SECS: i64 = 60;
/// The longest: a year.
pub const MAX_INTERVAL_SECS: i64 = 366 * 86_400;

/// The schedule of connection `id`: its own interval (`None`: the global one; 0: off), its next
/// and its last check.
pub async fn schedule_of(db: &DatabaseConnection, id: i32) -> Result<Option<check_schedule::Model>, ServiceError> {
    Ok(check_schedule::Entity::find_by_id(id).one(db).await?)
}

/// A schedule as the pages and the API show it; `global_secs` is the global interval (0: off).
pub fn schedule_view(row: Option<&check_schedule::Model>, global_secs: i64) -> ScheduleView {
    let own = row.and_then(|r| r.interval_secs);
    let effective = own.unwrap_or(global_secs);
    let enabled = global_secs > 0 && effective > 0;
    ScheduleView {
        own_interval_secs: own,
        effective_secs: effective,
        enabled,
        next_check_at: row.filter(|_| enabled).map(|r| rfc3339(&r.next_check_at)),
        last_checked_at: row.and_then(|r| r.last_checked_at.as_ref().map(rfc3339)),
    }
}

/// Sets connection `id`'s interval: `None` follows the global one, `Some(0)` turns its checks
/// off, else 60 s to a year. `global` is the global interval, for the next check's time.
pub async fn set_interval(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    interval_secs: Option<i64>,
    global: Duration,
) -> Result<check_schedule::Model, ServiceError> {
    if let Some(secs) = interval_secs
        && secs != 0
        && !(MIN_INTERVAL_SECS..=MAX_INTERVAL_SECS).contains(&secs)
    {
        return Err(ServiceError::invalid(
            "interval_secs",
            format!(
                "interval_secs must be 0 (off), null (the global interval) or {MIN_INTERVAL_SECS} to {MAX_INTERVAL_SECS} seconds"
            ),
        ));
    }
    let connection = connections::get(db, id).await?;
    let now = Utc::now();
    let existing = schedule_of(db, id).await?;
    let every = match interval_secs {
        Some(secs) if secs > 0 => Duration::seconds(secs),
        _ => global,
    };
    let next = match existing.as_ref().and_then(|row| row.last_checked_at) {
        Some(last) => (last + every).max(now),
        None => now + offset(id, every),
    };
    let row = check_schedule::ActiveModel {
        connection_id: Set(id),
        interval_secs: Set(interval_secs),
        next_check_at: Set(next),
        running_since: Set(existing.as_ref().and_then(|r| r.running_since)),
        last_checked_at: Set(existing.as_ref().and_then(|r| r.last_checked_at)),
    };
    let detail = match interval_secs {
        None => "global interval".to_string(),
        Some(0) => "checks off".to_string(),
        Some(secs) => format!("every {secs} s"),
    };
    let target = connections::label(&connection);
    let txn = db.begin().await?;
    check_schedule::Entity::insert(row)
        .on_conflict(
            OnConflict::column(check_schedule::Column::ConnectionId)
                .update_columns([check_schedule::Column::IntervalSecs, check_schedule::Column::NextCheckAt])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let event = Event { action: "connection.schedule", target: &target, success: true, detail: &detail };
    audit::record(&txn, actor, event).await?;
    txn.commit().await?;
    schedule_of(db, id).await?.ok_or_else(|| ServiceError::Internal("the schedule row vanished".into()))
}
