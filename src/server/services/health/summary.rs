//! The health summary: every connection by its newest check (failing, healthy, unchecked), the
//! failing reasons counted, and what needs attention first. The newest checks are found with one
//! index step per connection (quick at thousands of connections and months of history), and the
//! database counts them: the Dashboard reads a row per (healthy, reason) and the rows that need
//! attention, not a row per connection — three queries in all, each a round trip to the database's
//! thread that a page waits for, most of all while a round of checks keeps the cores busy.

use crate::model::{AlertView, AttentionItem, HealthSummary, urgency};
use crate::server::entities::connection_check;
use crate::server::error::ServiceError;
use crate::server::services::{connections, rfc3339};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, Statement};

/// The attention list stops here: more is a fleet problem, which the counts show.
const MAX_ATTENTION: usize = 50;
/// Alerts the summary carries.
const RECENT_ALERTS: u64 = 20;

/// Storage used from this share on is "nearly full" (a macro, so that the queries below carry it).
macro_rules! nearly_full_percent {
    () => {
        90
    };
}
/// A check whose storage is nearly full, in SQL; the same sum as [`percent_of`] (used clamped to
/// the total, whole percent).
macro_rules! nearly_full_sql {
    () => {
        concat!("(n.storage_total > 0 AND n.storage_used * 100 >= n.storage_total * ", nearly_full_percent!(), ")")
    };
}
/// The id of each connection's newest check: for every connection, one step down the
/// `(connection_id, checked_at)` index. Why not `MAX(id) … GROUP BY connection_id`: that reads the
/// whole history (90 days of a thousand connections checked every 15 minutes is 8.6 million rows)
/// on every Dashboard, `/api/health/summary` and `/metrics`. The same SQL serves SQLite and
/// PostgreSQL.
macro_rules! newest_ids {
    () => {
        "SELECT (SELECT c.id FROM connection_checks c WHERE c.connection_id = s.id \
         ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) FROM ssh_connections s"
    };
}

/// Each connection's newest check, whole (its plan is tested: an index step per connection).
pub const NEWEST_CHECKS: &str = concat!("SELECT * FROM connection_checks WHERE id IN (", newest_ids!(), ")");

/// The counts, in one row per (healthy, reason) of the newest checks; the connections and those
/// with checks off ride along on every row (and alone on one row when nothing was checked yet).
pub const TALLY: &str = concat!(
    "SELECT t.total, t.checks_off, g.healthy, g.reason, g.checks, g.nearly_full FROM \
     (SELECT (SELECT COUNT(*) FROM ssh_connections) AS total, \
     (SELECT COUNT(*) FROM check_schedules WHERE interval_secs = 0) AS checks_off) t \
     LEFT JOIN (SELECT n.healthy, n.reason, COUNT(*) AS checks, SUM(CASE WHEN ",
    nearly_full_sql!(),
    " THEN 1 ELSE 0 END) AS nearly_full FROM connection_checks n WHERE n.id IN (",
    newest_ids!(),
    ") GROUP BY n.healthy, n.reason) g ON 1 = 1"
);

/// The newest checks that need attention (failing, or storage nearly full), with their
/// connection's name.
pub const ATTENTION: &str = concat!(
    "SELECT n.connection_id, n.checked_at, n.healthy, n.reason, n.message, n.storage_used, \
     n.storage_total, k.username, k.host, k.port \
     FROM connection_checks n JOIN ssh_connections k ON k.id = n.connection_id WHERE n.id IN (",
    newest_ids!(),
    ") AND (NOT n.healthy OR ",
    nearly_full_sql!(),
    ")"
);

#[derive(FromQueryResult)]
struct Tally {
    total: i64,
    checks_off: i64,
    healthy: Option<bool>,
    reason: Option<String>,
    checks: Option<i64>,
    nearly_full: Option<i64>,
}

#[derive(FromQueryResult)]
struct Attention {
    connection_id: i32,
    checked_at: DateTime<Utc>,
    healthy: bool,
    reason: String,
    message: Option<String>,
    storage_used: Option<i64>,
    storage_total: Option<i64>,
    username: String,
    host: String,
    port: i32,
}

/// The summary; `interval_secs` is the global interval (0: scheduled checks are off).
pub async fn summary(db: &DatabaseConnection, interval_secs: u64) -> Result<HealthSummary, ServiceError> {
    let statement = |sql: &str| Statement::from_string(db.get_database_backend(), sql);
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut summary = HealthSummary { interval_secs, ..HealthSummary::default() };
    let mut reasons: Vec<(String, u64)> = Vec::new();
    for row in Tally::find_by_statement(statement(TALLY)).all(db).await? {
        summary.total = count(row.total);
        summary.checks_off = count(row.checks_off);
        let (Some(healthy), Some(reason), Some(checks)) = (row.healthy, row.reason, row.checks) else { continue };
        if healthy {
            summary.healthy += count(checks);
            summary.nearly_full += count(row.nearly_full.unwrap_or(0));
        } else {
            summary.failing += count(checks);
            reasons.push((reason, count(checks)));
        }
    }
    summary.unchecked = summary.total.saturating_sub(summary.healthy + summary.failing);
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    summary.reasons = reasons;

    let mut attention: Vec<(Attention, String)> = Attention::find_by_statement(statement(ATTENTION))
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let reason = if row.healthy { "nearly_full".to_string() } else { row.reason.clone() };
            (row, reason)
        })
        .collect();
    attention.sort_by(|a, b| urgency(&a.1).cmp(&urgency(&b.1)).then_with(|| b.0.checked_at.cmp(&a.0.checked_at)));
    attention.truncate(MAX_ATTENTION);
    summary.attention = attention
        .into_iter()
        .map(|(row, reason)| AttentionItem {
            connection: connections::label_of(&row.username, &row.host, row.port),
            connection_id: row.connection_id,
            reason,
            storage_percent: row.storage_used.zip(row.storage_total).and_then(|(used, total)| percent_of(used, total)),
            message: row.message,
            checked_at: rfc3339(&row.checked_at),
        })
        .collect();
    summary.recent_alerts = super::alerts::newest(db, RECENT_ALERTS)
        .await?
        .into_iter()
        .map(|e| AlertView {
            id: e.id,
            connection_id: e.connection_id,
            kind: e.kind,
            message: e.message,
            created_at: rfc3339(&e.created_at),
        })
        .collect();
    Ok(summary)
}

/// Each connection's newest check, whole ([`NEWEST_CHECKS`]).
pub(super) async fn newest_checks(db: &DatabaseConnection) -> Result<Vec<connection_check::Model>, ServiceError> {
    let statement = Statement::from_string(db.get_database_backend(), NEWEST_CHECKS);
    Ok(connection_check::Entity::find().from_raw_sql(statement).all(db).await?)
}

/// Whole percent of `total` that `used` is; `None` for an empty total.
pub(super) fn percent_of(used: i64, total: i64) -> Option<u8> {
    (total > 0).then(|| u8::try_from(used.clamp(0, total).saturating_mul(100) / total).unwrap_or(100))
}
