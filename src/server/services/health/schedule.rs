//! The schedule in the database: one row per connection with its next check. A new connection's
//! first check is spread over the interval by its id (a thousand connections added at once are not
//! checked at once); afterwards each check is due one interval after the last one finished, so a
//! Keyhaven that was down for a day runs one check per connection, not a backlog.

use crate::server::entities::{check_schedule, ssh_connection};
use crate::server::error::ServiceError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// Where in the interval connection `id`'s checks fall: a fixed share of it, spread by a
/// multiplicative hash so neighbouring ids land far apart.
pub fn offset(id: i32, interval: Duration) -> Duration {
    let share = (u64::from(id.unsigned_abs()).wrapping_mul(2_654_435_761) % 1000) as i64;
    Duration::milliseconds(interval.num_milliseconds() * share / 1000)
}

/// The interval of a row: its own, else the global one; `None` when its checks are off.
pub fn interval_of(row: &check_schedule::Model, global: Duration) -> Option<Duration> {
    match row.interval_secs {
        None => Some(global),
        Some(0) => None,
        Some(secs) => Some(Duration::seconds(secs)),
    }
}

/// Gives every connection without a schedule its first check; returns how many were added.
pub async fn add_missing(db: &DatabaseConnection, interval: Duration, now: DateTime<Utc>) -> Result<u64, ServiceError> {
    let scheduled =
        Query::select().column(check_schedule::Column::ConnectionId).from(check_schedule::Entity).to_owned();
    let ids: Vec<i32> = ssh_connection::Entity::find()
        .select_only()
        .column(ssh_connection::Column::Id)
        .filter(ssh_connection::Column::Id.not_in_subquery(scheduled))
        .into_tuple()
        .all(db)
        .await?;
    for chunk in ids.chunks(500) {
        let rows = chunk.iter().map(|&id| check_schedule::ActiveModel {
            connection_id: Set(id),
            interval_secs: Set(None),
            next_check_at: Set(now + offset(id, interval)),
            running_since: Set(None),
            last_checked_at: Set(None),
        });
        check_schedule::Entity::insert_many(rows)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(check_schedule::Column::ConnectionId).do_nothing().to_owned(),
            )
            .do_nothing()
            .exec(db)
            .await?;
    }
    Ok(ids.len() as u64)
}

/// Up to `limit` checks due at `now` that nobody runs, the most overdue first.
pub async fn due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<check_schedule::Model>, ServiceError> {
    Ok(check_schedule::Entity::find()
        .filter(check_schedule::Column::NextCheckAt.lte(now))
        .filter(check_schedule::Column::RunningSince.is_null())
        .filter(
            Condition::any()
                .add(check_schedule::Column::IntervalSecs.is_null())
                .add(check_schedule::Column::IntervalSecs.gt(0)),
        )
        .order_by_asc(check_schedule::Column::NextCheckAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Marks the check of `connection_id` as running; false when another run took it first.
pub async fn claim(db: &DatabaseConnection, connection_id: i32, now: DateTime<Utc>) -> Result<bool, ServiceError> {
    let taken = check_schedule::Entity::update_many()
        .col_expr(check_schedule::Column::RunningSince, Expr::value(now))
        .filter(check_schedule::Column::ConnectionId.eq(connection_id))
        .filter(check_schedule::Column::RunningSince.is_null())
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// The check ran (or was skipped): the next one is due at `next`.
pub async fn finish(
    db: &DatabaseConnection,
    connection_id: i32,
    checked: Option<DateTime<Utc>>,
    next: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut update = check_schedule::Entity::update_many()
        .col_expr(check_schedule::Column::RunningSince, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(check_schedule::Column::NextCheckAt, Expr::value(next));
    if let Some(at) = checked {
        update = update.col_expr(check_schedule::Column::LastCheckedAt, Expr::value(at));
    }
    update.filter(check_schedule::Column::ConnectionId.eq(connection_id)).exec(db).await?;
    Ok(())
}

/// At start: checks that were running when the process stopped are due again (their next time
/// was never moved), so each runs once — none lost, none twice.
pub async fn recover(db: &DatabaseConnection) -> Result<u64, ServiceError> {
    let reset = check_schedule::Entity::update_many()
        .col_expr(check_schedule::Column::RunningSince, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(check_schedule::Column::RunningSince.is_not_null())
        .exec(db)
        .await?;
    Ok(reset.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_checks_spread_over_the_interval() {
        let interval = Duration::seconds(900);
        let offsets: Vec<i64> = (1..=100).map(|id| offset(id, interval).num_seconds()).collect();
        assert!(offsets.iter().all(|&s| (0..900).contains(&s)));
        let quarters = (0..4).map(|q| offsets.iter().filter(|&&s| s / 225 == q).count()).collect::<Vec<_>>();
        assert!(quarters.iter().all(|&n| n >= 15), "100 ids fill every quarter of the interval: {quarters:?}");
        let row = |secs| check_schedule::Model {
            connection_id: 1,
            interval_secs: secs,
            next_check_at: Utc::now(),
            running_since: None,
            last_checked_at: None,
        };
        assert_eq!(interval_of(&row(None), interval), Some(interval));
        assert_eq!(interval_of(&row(Some(0)), interval), None);
        assert_eq!(interval_of(&row(Some(60)), interval), Some(Duration::seconds(60)));
    }
}
