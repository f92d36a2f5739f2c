//! Alerts from scheduled checks: the rules' state per connection in the database, and one alert
//! per change of state, kept (`alert_events`) for the API and the pages, and queued for every
//! alert channel (see `alerts`).

use super::rules::{FULL_SOON_DAYS, Raise, Seen, State, step};
use super::summary::percent_of;
use super::trend::days_until_full;
use crate::server::entities::{alert_event, alert_state, connection_check};
use crate::server::error::ServiceError;
use chrono::{Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

/// A check as alerts need it.
#[derive(Clone, Debug)]
pub struct Checked {
    pub connection_id: i32,
    /// `user@host:port`.
    pub label: String,
    pub healthy: bool,
    pub reason: String,
    pub message: Option<String>,
    /// (used, total) bytes, when measured.
    pub storage: Option<(i64, i64)>,
}

/// Days until full from the last two weeks of storage, when this check measured it.
async fn forecast(db: &DatabaseConnection, connection_id: i32) -> Result<Option<u32>, ServiceError> {
    let points: Vec<(chrono::DateTime<Utc>, Option<i64>, Option<i64>)> = connection_check::Entity::find()
        .select_only()
        .columns([connection_check::Column::CheckedAt, connection_check::Column::StorageUsed])
        .column(connection_check::Column::StorageTotal)
        .filter(connection_check::Column::ConnectionId.eq(connection_id))
        .filter(connection_check::Column::CheckedAt.gt(Utc::now() - Duration::days(14)))
        .filter(connection_check::Column::StorageTotal.gt(0))
        .order_by_asc(connection_check::Column::CheckedAt)
        .limit(5000)
        .into_tuple()
        .all(db)
        .await?;
    let points: Vec<_> = points.into_iter().filter_map(|(at, used, total)| Some((at, used?, total?))).collect();
    Ok(days_until_full(&points).map(|days| days.floor() as u32))
}

fn message(raise: Raise, checked: &Checked, failures: i32) -> String {
    let label = &checked.label;
    let why = checked.message.clone().unwrap_or_else(|| checked.reason.clone());
    match raise {
        Raise::Failing => format!("{label} is failing ({}, {failures} checks in a row): {why}", checked.reason),
        Raise::Recovered => format!("{label} works again."),
        Raise::HostKeyChanged => format!("{label} offers a different host key: {why}"),
        Raise::Storage(level) => {
            let (used, total) = checked.storage.unwrap_or((0, 1));
            format!("{label}: storage {}% used (over {level}%).", used.saturating_mul(100) / total.max(1))
        }
        Raise::FullSoon(days) => {
            format!(
                "{label}: storage full in about {days} days at the pace of the last two weeks (within {FULL_SOON_DAYS})."
            )
        }
    }
}

/// Runs a check through the rules: saves the new state and the alerts it raised (also returned).
pub async fn observe(
    db: &DatabaseConnection,
    checked: &Checked,
    threshold: i32,
) -> Result<Vec<alert_event::Model>, ServiceError> {
    let id = checked.connection_id;
    let state = alert_state::Entity::find_by_id(id).one(db).await?.map_or(State::default(), |row| State {
        failing: row.failing,
        consecutive_failures: row.consecutive_failures,
        host_key_changed: row.host_key_changed,
        storage_level: row.storage_level,
        forecast_warned: row.forecast_warned,
    });
    let storage_percent = checked.storage.and_then(|(used, total)| percent_of(used, total));
    let full_in_days = match storage_percent {
        Some(_) => forecast(db, id).await?,
        None => None,
    };
    let seen = Seen { healthy: checked.healthy, reason: &checked.reason, storage_percent, full_in_days };
    let (next, raised) = step(state, seen, threshold);
    if next == state && raised.is_empty() {
        // Nothing to remember (a healthy connection staying healthy, most checks of a round): no
        // write, so a round holds SQLite's one writer a thousand times less for this.
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let row = alert_state::ActiveModel {
        connection_id: Set(id),
        failing: Set(next.failing),
        consecutive_failures: Set(next.consecutive_failures),
        host_key_changed: Set(next.host_key_changed),
        storage_level: Set(next.storage_level),
        forecast_warned: Set(next.forecast_warned),
        updated_at: Set(now),
    };
    alert_state::Entity::insert(row)
        .on_conflict(
            OnConflict::column(alert_state::Column::ConnectionId)
                .update_columns([
                    alert_state::Column::Failing,
                    alert_state::Column::ConsecutiveFailures,
                    alert_state::Column::HostKeyChanged,
                    alert_state::Column::StorageLevel,
                    alert_state::Column::ForecastWarned,
                    alert_state::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let mut events = Vec::new();
    for raise in raised {
        let event = alert_event::ActiveModel {
            connection_id: Set(id),
            kind: Set(raise.kind().into()),
            reason: Set(checked.reason.clone()),
            message: Set(message(raise, checked, next.consecutive_failures)),
            created_at: Set(now),
            ..Default::default()
        };
        events.push(alert_event::Entity::insert(event).exec_with_returning(&txn).await?);
    }
    // Queued with the alerts, in one transaction: a stop in between loses neither.
    crate::server::services::alerts::enqueue(&txn, &events).await?;
    txn.commit().await?;
    Ok(events)
}

/// The kind of the alert for a change in a connection's authorized_keys that Keyhaven did not make.
pub const AUTHORIZED_KEYS_CHANGED: &str = "authorized_keys_changed";

/// Raises the alert for such a change (one per read that found one), kept and queued for every
/// channel in one transaction.
pub async fn raise_drift(
    db: &DatabaseConnection,
    connection_id: i32,
    message: String,
) -> Result<alert_event::Model, ServiceError> {
    let txn = db.begin().await?;
    let event = alert_event::ActiveModel {
        connection_id: Set(connection_id),
        kind: Set(AUTHORIZED_KEYS_CHANGED.into()),
        reason: Set("drift".into()),
        message: Set(message),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let saved = alert_event::Entity::insert(event).exec_with_returning(&txn).await?;
    crate::server::services::alerts::enqueue(&txn, std::slice::from_ref(&saved)).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Page `page` of the alerts, newest first.
pub async fn events(
    db: &DatabaseConnection,
    per_page: u64,
    page: u64,
) -> Result<crate::model::Page<alert_event::Model>, ServiceError> {
    let select = alert_event::Entity::find().order_by_desc(alert_event::Column::Id);
    crate::server::services::paging::fetch(db, select, per_page, page).await
}

/// The newest `count` alerts, newest first (no count of them all, as a page would need).
pub async fn newest(db: &DatabaseConnection, count: u64) -> Result<Vec<alert_event::Model>, ServiceError> {
    Ok(alert_event::Entity::find().order_by_desc(alert_event::Column::Id).limit(count).all(db).await?)
}
