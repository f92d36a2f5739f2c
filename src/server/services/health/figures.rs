//! The figures `/metrics` exports: each connection by its newest check (up, when, how long, its
//! storage) and the alerts raised by kind. Read at scrape time from the database, which is the
//! source of truth, so they are right after a restart too.

use super::summary::newest_checks;
use crate::server::entities::{alert_event, ssh_connection};
use crate::server::error::ServiceError;
use crate::server::services::connections;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// A connection by its newest check.
#[derive(Clone, Debug)]
pub struct ConnectionFigures {
    pub id: i32,
    /// `user@host:port`.
    pub label: String,
    pub up: bool,
    pub checked_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub storage_used: Option<i64>,
    pub storage_total: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// Connections, checked or not.
    pub total: u64,
    /// Those checked at least once.
    pub checked: Vec<ConnectionFigures>,
    /// Alerts raised so far, by kind.
    pub alerts_by_kind: Vec<(String, u64)>,
}

pub async fn figures(db: &DatabaseConnection) -> Result<Figures, ServiceError> {
    let total = ssh_connection::Entity::find().count(db).await?;
    let newest = newest_checks(db).await?;
    let names = labels(db, newest.iter().map(|c| c.connection_id).collect()).await?;
    let checked = newest
        .into_iter()
        .map(|c| ConnectionFigures {
            label: names.get(&c.connection_id).cloned().unwrap_or_default(),
            id: c.connection_id,
            up: c.healthy,
            checked_at: c.checked_at,
            duration_ms: c.duration_ms,
            storage_used: c.storage_used,
            storage_total: c.storage_total,
        })
        .collect();
    let alerts_by_kind: Vec<(String, i64)> = alert_event::Entity::find()
        .select_only()
        .column(alert_event::Column::Kind)
        .column_as(sea_orm::sea_query::Expr::col(alert_event::Column::Id).count(), "n")
        .group_by(alert_event::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let alerts_by_kind = alerts_by_kind.into_iter().map(|(kind, n)| (kind, u64::try_from(n).unwrap_or(0))).collect();
    Ok(Figures { total, checked, alerts_by_kind })
}

/// `user@host:port` of the given connections.
async fn labels(db: &DatabaseConnection, ids: Vec<i32>) -> Result<HashMap<i32, String>, ServiceError> {
    let rows = ssh_connection::Entity::find().filter(ssh_connection::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.iter().map(|c| (c.id, connections::label(c))).collect())
}
