//! The health summary: every connection by its newest check (failing, healthy, unchecked), the
//! failing reasons counted, and what needs attention first. One query for the newest checks (one
//! index step per connection) keeps it quick at thousands of connections and months of history.

use crate::model::{AlertView, AttentionItem, HealthSummary, urgency};
use crate::server::entities::{check_schedule, connection_check, ssh_connection};
use crate::server::error::ServiceError;
use crate::server::services::{connections, rfc3339};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap};

/// The attention list stops here: more is a fleet problem, which the counts show.
const MAX_ATTENTION: usize = 50;
/// Alerts the summary carries.
const RECENT_ALERTS: u64 = 20;
/// Storage used from this share on is "nearly full".
const NEARLY_FULL_PERCENT: u8 = 90;

/// The summary; `interval_secs` is the global interval (0: scheduled checks are off).
pub async fn summary(db: &DatabaseConnection, interval_secs: u64) -> Result<HealthSummary, ServiceError> {
    let total = ssh_connection::Entity::find().count(db).await?;
    let checks_off =
        check_schedule::Entity::find().filter(check_schedule::Column::IntervalSecs.eq(0)).count(db).await?;
    let newest = newest_checks(db).await?;

    let mut summary = HealthSummary { total, checks_off, interval_secs, ..HealthSummary::default() };
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut attention: Vec<(connection_check::Model, String, Option<u8>)> = Vec::new();
    for check in newest {
        let percent = storage_percent(&check);
        if check.healthy {
            summary.healthy += 1;
            if percent.is_some_and(|p| p >= NEARLY_FULL_PERCENT) {
                summary.nearly_full += 1;
                attention.push((check, "nearly_full".into(), percent));
            }
        } else {
            summary.failing += 1;
            *reasons.entry(check.reason.clone()).or_default() += 1;
            let reason = check.reason.clone();
            attention.push((check, reason, percent));
        }
    }
    summary.unchecked = total.saturating_sub(summary.healthy + summary.failing);
    let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    summary.reasons = reasons;

    attention.sort_by(|a, b| urgency(&a.1).cmp(&urgency(&b.1)).then_with(|| b.0.checked_at.cmp(&a.0.checked_at)));
    attention.truncate(MAX_ATTENTION);
    let labels = labels(db, attention.iter().map(|(check, _, _)| check.connection_id).collect()).await?;
    let alerts = super::alerts::events(db, RECENT_ALERTS, 1).await?;
    summary.recent_alerts = alerts
        .rows
        .into_iter()
        .map(|e| AlertView {
            id: e.id,
            connection_id: e.connection_id,
            kind: e.kind,
            message: e.message,
            created_at: rfc3339(&e.created_at),
        })
        .collect();
    summary.attention = attention
        .into_iter()
        .map(|(check, reason, storage_percent)| AttentionItem {
            connection: labels.get(&check.connection_id).cloned().unwrap_or_default(),
            connection_id: check.connection_id,
            reason,
            message: check.message,
            checked_at: rfc3339(&check.checked_at),
            storage_percent,
        })
        .collect();
    Ok(summary)
}

/// Each connection's newest check, in one query: for every connection, one step down the
/// `(connection_id, checked_at)` index. Why not `MAX(id) … GROUP BY connection_id`: that reads the
/// whole history (90 days of a thousand connections checked every 15 minutes is 8.6 million rows)
/// on every Dashboard, `/api/health/summary` and `/metrics`. The same SQL serves SQLite and
/// PostgreSQL.
pub(super) async fn newest_checks(db: &DatabaseConnection) -> Result<Vec<connection_check::Model>, ServiceError> {
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), NEWEST_CHECKS);
    Ok(connection_check::Entity::find().from_raw_sql(statement).all(db).await?)
}

/// The query of [`newest_checks`] (its plan is tested: an index step per connection).
pub const NEWEST_CHECKS: &str = "SELECT * FROM connection_checks WHERE id IN (\
    SELECT (SELECT c.id FROM connection_checks c WHERE c.connection_id = s.id \
    ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) FROM ssh_connections s)";

/// Whole percent of storage used, when the check measured it.
fn storage_percent(check: &connection_check::Model) -> Option<u8> {
    percent_of(check.storage_used?, check.storage_total?)
}

/// Whole percent of `total` that `used` is; `None` for an empty total.
pub(super) fn percent_of(used: i64, total: i64) -> Option<u8> {
    (total > 0).then(|| u8::try_from(used.clamp(0, total).saturating_mul(100) / total).unwrap_or(100))
}

/// `user@host:port` of the given connections.
pub(super) async fn labels(db: &DatabaseConnection, ids: Vec<i32>) -> Result<HashMap<i32, String>, ServiceError> {
    let rows = ssh_connection::Entity::find().filter(ssh_connection::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.iter().map(|c| (c.id, connections::label(c))).collect())
}
