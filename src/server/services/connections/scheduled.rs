//! One scheduled check of a connection: the staged test and, in the same SSH session when it
//! logs in, the storage, kept in the history as one check. The health scheduler decides when;
//! this decides what a check is.

use super::probe::{Asked, TestReport, run};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::changes::Changes;
use crate::server::services::remote::SshGate;
use sea_orm::DatabaseConnection;

/// What became of a scheduled check.
#[derive(Debug)]
pub enum CheckRun {
    /// The check ran.
    Done {
        report: TestReport,
        /// Used and total bytes, when the storage was measured.
        storage: Option<(i64, i64)>,
        /// `user@host:port`, for the alerts the check may raise.
        label: String,
    },
    /// A manual test of the connection was running: the check was not run.
    Busy,
}

/// Checks connection `id` unless it is being tested right now.
pub async fn scheduled_check(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<CheckRun, ServiceError> {
    let Some(_turn) = gate.try_turn(id) else { return Ok(CheckRun::Busy) };
    let ran = run(db, changes, gate, master, Asked::OnSchedule, id).await?;
    let storage = ran.storage.map(|s| (s.used, s.total));
    Ok(CheckRun::Done { report: ran.report, storage, label: ran.label })
}
