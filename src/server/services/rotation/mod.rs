//! Key rotation: a managed key (the system key or a named key) is replaced on every connection that
//! uses it, with no password and no moment without a working key — a successor is generated, each
//! connection goes pending → staged → verified → switched → cleaned (see `steps`), and when all
//! have moved the successor takes the old key's name and place. A job with its state per
//! connection in the database: a restart resumes it. A dry run looks at every host and changes
//! nothing. Writes `key_rotation` and `rotation_host`; switches connections through `connections`
//! and makes and retires keys through `keys`.

mod jobs;
mod runner;
mod start;
mod steps;

pub use jobs::{list, view};
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
    match jobs::running(&ctx.db).await {
        Ok(ids) => {
            for id in ids {
                tracing::info!(rotation = id, "resuming a key rotation interrupted by the last stop");
                tokio::spawn(runner::run(ctx.clone(), id));
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not look for interrupted key rotations"),
    }
}
