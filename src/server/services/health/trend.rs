//! A connection's recent checks with its schedule, and when its storage will be full at the pace
//! of the last two weeks (a least-squares line through the measured points: a few noisy checks
//! do not swing it, and a disk that only empties has no forecast).

use super::overrides::{schedule_of, schedule_view};
use crate::model::{CheckView, ConnectionTimeline};
use crate::server::entities::connection_check;
use crate::server::error::ServiceError;
use crate::server::services::{connections, rfc3339};
use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;

/// The checks a timeline shows: enough for 30 days at the default 15 minutes would be 2,880, so
/// the newest 500 (five days at 15 minutes, a month at an hour and a half).
const TIMELINE_CHECKS: u64 = 500;
/// The forecast reads the storage of this many days back.
const TREND_DAYS: i64 = 14;
/// Forecasts further out than this are not a warning, and are not shown.
const MAX_FORECAST_DAYS: f64 = 3650.0;

/// Days until `used` reaches `total` at the pace of the points (time, used, total), or `None`
/// when it does not grow, there are fewer than two points, or they span under an hour.
pub fn days_until_full(points: &[(DateTime<Utc>, i64, i64)]) -> Option<f64> {
    let (first, last) = (points.first()?, points.last()?);
    let span = (last.0 - first.0).num_seconds().abs();
    if points.len() < 2 || span < 3600 {
        return None;
    }
    let origin = first.0.min(last.0);
    let xs: Vec<f64> = points.iter().map(|p| (p.0 - origin).num_seconds() as f64 / 86_400.0).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.1 as f64).collect();
    let n = xs.len() as f64;
    let (mean_x, mean_y) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let covariance: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
    let per_day = covariance / variance;
    // NaN (all points at one time) or no growth: nothing to forecast.
    if per_day.is_nan() || per_day <= 0.0 {
        return None;
    }
    let newest = points.iter().max_by_key(|p| p.0)?;
    let days = (newest.2 - newest.1).max(0) as f64 / per_day;
    (days <= MAX_FORECAST_DAYS).then_some(days)
}

fn check_view(check: &connection_check::Model) -> CheckView {
    CheckView {
        checked_at: rfc3339(&check.checked_at),
        epoch: check.checked_at.timestamp(),
        trigger: check.trigger.clone(),
        healthy: check.healthy,
        reason: check.reason.clone(),
        stage: check.stage.clone(),
        message: check.message.clone(),
        duration_ms: check.duration_ms,
        storage_used: check.storage_used.and_then(|v| u64::try_from(v).ok()),
        storage_total: check.storage_total.and_then(|v| u64::try_from(v).ok()),
    }
}

/// Connection `id` with its newest checks (newest first), its schedule and the storage forecast.
/// `global_secs` is the global interval (0: scheduled checks are off).
pub async fn timeline(db: &DatabaseConnection, id: i32, global_secs: i64) -> Result<ConnectionTimeline, ServiceError> {
    let connection = connections::get_view(db, id).await?;
    let page = connections::checks(db, id, TIMELINE_CHECKS, 1).await?;
    let since = Utc::now() - Duration::days(TREND_DAYS);
    let mut points: Vec<(DateTime<Utc>, i64, i64)> = page
        .rows
        .iter()
        .filter(|c| c.checked_at >= since)
        .filter_map(|c| Some((c.checked_at, c.storage_used?, c.storage_total?)))
        .filter(|p| p.2 > 0)
        .collect();
    points.reverse();
    let row = schedule_of(db, id).await?;
    Ok(ConnectionTimeline {
        connection,
        checks_total: page.total,
        checks: page.rows.iter().map(check_view).collect(),
        full_in_days: days_until_full(&points).map(|d| d.floor() as u32),
        schedule: schedule_view(row.as_ref(), global_secs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: f64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_700_000_000 + (days * 86_400.0) as i64, 0).unwrap()
    }

    #[test]
    fn a_steady_growth_is_projected_to_the_day() {
        // 10 GB a day into a 1,000 GB disk at 600 GB: 40 days left.
        let points: Vec<_> = (0..8).map(|d| (at(f64::from(d)), 530 + 10 * i64::from(d), 1000)).collect();
        assert_eq!(days_until_full(&points).map(|d| d.round()), Some(40.0));
        let noisy = [(at(0.0), 500, 1000), (at(1.0), 520, 1000), (at(2.0), 505, 1000), (at(3.0), 530, 1000)];
        let days = days_until_full(&noisy).unwrap();
        assert!((40.0..80.0).contains(&days), "the trend, not the last jump: {days}");
    }

    #[test]
    fn no_growth_too_few_points_or_too_short_a_span_has_no_forecast() {
        assert_eq!(days_until_full(&[(at(0.0), 900, 1000), (at(5.0), 800, 1000)]), None, "shrinking");
        assert_eq!(days_until_full(&[(at(0.0), 900, 1000), (at(5.0), 900, 1000)]), None, "flat");
        assert_eq!(days_until_full(&[(at(0.0), 900, 1000)]), None, "one point");
        assert_eq!(days_until_full(&[(at(0.0), 900, 1000), (at(0.01), 950, 1000)]), None, "15 minutes");
        assert_eq!(days_until_full(&[(at(0.0), 1, 1_000_000_000), (at(10.0), 2, 1_000_000_000)]), None, "centuries");
        assert_eq!(days_until_full(&[(at(0.0), 900, 1000), (at(1.0), 1000, 1000)]), Some(0.0), "full now");
    }
}
