//! The check history is kept `check_retention_days`: a background task forgets older checks at
//! start and then every hour, whether or not scheduled checks run (manual tests leave checks too).

use crate::server::error::ServiceError;
use crate::server::services::connections;
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

/// How often old checks are looked for.
const EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Forgets the checks older than `keep`; answers how many went.
pub async fn prune_once(db: &DatabaseConnection, keep: Duration) -> Result<u64, ServiceError> {
    connections::prune_checks(db, Utc::now() - keep).await
}

/// Starts the hourly pruning of checks older than `days` (at least one).
pub fn start_pruning(db: DatabaseConnection, days: u64) -> tokio::task::JoinHandle<()> {
    let keep = Duration::days(i64::try_from(days.max(1)).unwrap_or(36_500).min(36_500));
    tokio::spawn(async move {
        loop {
            match prune_once(&db, keep).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(checks = n, "forgot checks older than the retention"),
                Err(err) => tracing::warn!(error = %err, "could not prune old checks; retrying in an hour"),
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}
