//! Automatic rotation: a key with a rotation period and `auto_rotate` is rotated when it is due
//! (looked for at start and every hour), and every key due within 14 days is announced on the
//! alert channels once per due date. A key whose last rotation is not finished is left to the
//! operator: its rotation needs attention, not a second one.

use super::{Rotator, StartRotation, jobs, start};
use crate::server::error::ServiceError;
use crate::server::services::audit::Actor;
use crate::server::services::keys;

const EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Starts the rotations that are due now; returns their ids.
pub async fn rotate_due(ctx: &Rotator) -> Result<Vec<i32>, ServiceError> {
    let now = chrono::Utc::now();
    let mut started = Vec::new();
    for key in keys::due_soon(&ctx.db).await? {
        let due = keys::due_at(&key).is_some_and(|at| at <= now);
        if !key.auto_rotate || !due || jobs::unfinished(&ctx.db, key.id).await?.is_some() {
            continue;
        }
        let view = start(ctx, &Actor::system(), key.id, StartRotation::default()).await?;
        tracing::info!(key = %key.name, rotation = view.id, "started the automatic rotation of a key that is due");
        started.push(view.id);
    }
    Ok(started)
}

/// Looks for due keys at start and every hour.
pub fn start_schedule(ctx: Rotator) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match keys::announce_due(&ctx.db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "announced keys due for rotation on the alert channels"),
                Err(err) => tracing::warn!(error = %err, "could not announce the keys due for rotation"),
            }
            if let Err(err) = rotate_due(&ctx).await {
                tracing::warn!(error = %err, "could not start the automatic key rotations that are due");
            }
        }
    })
}
