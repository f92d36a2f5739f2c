//! One scheduled check of a connection: the staged test and, in the same SSH session when it
//! logs in, the storage, kept in the history as one check. The health scheduler decides when;
//! this decides what a check is.

use super::history::{self, Measured, Trigger};
use super::probe::{TestReport, run};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::changes::Changes;
use crate::server::services::remote::SshGate;
use sea_orm::DatabaseConnection;

/// What became of a scheduled check.
#[derive(Debug)]
pub enum CheckRun {
    /// The check ran: its report, and the storage (used, total bytes) when it was measured.
    Done(TestReport, Option<(i64, i64)>),
    /// A manual test of the connection was running: the check was not run.
    Busy,
}

/// Checks connection `id` unless it is being tested right now. A full disk (nothing available)
/// is kept as `disk_full`, unhealthy, though the login works: the next backup would fail.
pub async fn scheduled_check(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<CheckRun, ServiceError> {
    let Some(_turn) = gate.try_turn(id) else { return Ok(CheckRun::Busy) };
    let (mut report, usage) = run(db, changes, gate, master, None, true, id).await?;
    let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let storage = usage.as_ref().map(|u| Measured { used: as_i64(u.used), total: as_i64(u.total) });
    if report.connected && usage.is_some_and(|u| u.available == 0) {
        report.connected = false;
        report.reason = "disk_full";
        report.error = Some("The host's disk is full: no space is left for backups.".into());
    }
    history::record(db, id, Trigger::Scheduled, &report, storage).await?;
    Ok(CheckRun::Done(report, storage.map(|s| (s.used, s.total))))
}
