//! Key rotation: a managed key (the system key or a named key) is replaced on every connection that
//! uses it, with no password and no moment without a working key — a successor is generated, each
//! connection goes pending → staged → verified → switched → cleaned (see `steps`), and when all
//! have moved the successor takes the old key's name and place. A job with its state per
//! connection in the database: a restart resumes it. A dry run looks at every host and changes
//! nothing. Writes `key_rotation` and `rotation_host`; switches connections through `connections`
//! and makes and retires keys through `keys`.

mod actions;
mod jobs;
mod report;
mod rollback;
mod runner;
mod schedule;
mod start;
mod steps;

pub use actions::{deploy_with_password, retire, retry, roll_back, skip};
pub use jobs::{list, view};
pub use report::csv;
pub use schedule::{rotate_due, start_schedule};
pub use start::{StartRotation, start};

use crate::server::secrets::MasterKey;
use crate::server::services::changes::Changes;
use crate::server::services::remote::SshGate;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What a rotation works with; cloned into its task.
#[derive(Clone)]
pub struct Rotator {
    pub db: DatabaseConnection,
    pub changes: Changes,
    pub gate: Arc<SshGate>,
    pub master: Arc<MasterKey>,
}

/// Resumes the rotations a stop interrupted (at server start).
pub async fn resume(ctx: &Rotator) {
    match jobs::interrupted(&ctx.db).await {
        Ok(jobs) => {
            for job in jobs {
                tracing::info!(rotation = job.id, state = %job.state, "resuming a key rotation interrupted by the last stop");
                if job.state == crate::model::rotation_state::ROLLING_BACK {
                    tokio::spawn(rollback::run(ctx.clone(), job.id));
                } else {
                    tokio::spawn(runner::run(ctx.clone(), job.id));
                }
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not look for interrupted key rotations"),
    }
}
