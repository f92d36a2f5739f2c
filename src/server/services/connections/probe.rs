//! `POST …/connections/{id}/test`: log in with the connection's key and open a session, stage by
//! stage, and keep the outcome on the connection. A key restricted to a forced command (`borg
//! serve`) or a restricted shell logs in, so it counts as connected, with a note.

use super::history::{self, Measured, Trigger};
use super::login::{Target, connection_target, login_with_key};
use super::store::{get_with_key, label};
use crate::model::StageView;
use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::Changes;
use crate::server::services::keys::{private_key, touch_key};
use crate::server::services::remote::{SshGate, Stages, connection_key};
use crate::server::ssh::error::SshError;
use crate::server::ssh::sftp::{RemoteFs, Usage};
use crate::server::ssh::storage;
use russh::keys::ssh_key::PrivateKey;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use std::time::Instant;

const STAGES: [&str; 4] = ["tcp", "host_key", "authentication", "session"];
const MARKER: &str = "keyhaven-test-ok";
pub const RESTRICTED_NOTE: &str = "Logged in; this key is restricted to a forced command or a restricted shell (such as borg serve), which is enough for backups.";

/// What a test found.
#[derive(Debug)]
pub struct TestReport {
    pub connected: bool,
    /// The classified failure, when not connected.
    pub error: Option<String>,
    pub note: Option<String>,
    /// `ok`, `restricted_ok`, `key_missing` or the failure's [`SshError::reason`].
    pub reason: &'static str,
    pub stages: Vec<StageView>,
    /// From the start of the first stage to the end of the last.
    pub millis: u64,
}

/// Where a connection's storage is measured: the SFTP path and the shell path (with
/// `ssh_path_prefix`), both from `default_path` (none: the login directory).
pub(super) fn storage_paths(connection: &ssh_connection::Model) -> (Option<String>, Option<String>) {
    let shell_path = match (&connection.ssh_path_prefix, &connection.default_path) {
        (Some(prefix), Some(path)) => Some(format!("{}{path}", prefix.trim_end_matches('/'))),
        (None, Some(path)) => Some(path.clone()),
        (_, None) => None,
    };
    (connection.default_path.clone(), shell_path)
}

/// After logging in: SFTP answers (SFTP mode) or a shell runs `echo` (shell mode). Anything else
/// that still let us in is a restricted key. With `measure` (a scheduled check) the storage is
/// measured on the same session, so a check logs in once.
async fn probe(
    gate: &SshGate,
    target: &Target,
    key: PrivateKey,
    sftp: bool,
    measure: Option<&(Option<String>, Option<String>)>,
    stages: &mut Stages,
) -> Result<(Option<String>, Option<Usage>), SshError> {
    let session = login_with_key(gate, target, key, stages).await?;
    let since = Instant::now();
    let checked = if sftp {
        match RemoteFs::open(&session).await {
            Ok(fs) => {
                let home = fs.home().await;
                fs.close().await;
                home.map(|h| (format!("SFTP works; the login directory is {h}"), None))
            }
            Err(SshError::SftpUnavailable(_)) => Ok((String::from("logged in"), Some(RESTRICTED_NOTE.to_string()))),
            Err(err) => Err(err),
        }
    } else {
        match session.exec(&format!("echo {MARKER}"), None).await {
            Ok(out) if String::from_utf8_lossy(&out.stdout).trim() == MARKER => {
                Ok(("the shell runs commands".into(), None))
            }
            Ok(_) => Ok((String::from("logged in"), Some(RESTRICTED_NOTE.to_string()))),
            Err(err) => Err(err),
        }
    };
    let usage = match (&checked, measure) {
        (Ok((_, None)), Some((sftp_path, shell_path))) => {
            match storage::usage(&session, sftp_path.as_deref(), shell_path.as_deref()).await {
                Ok(usage) => Some(usage),
                // An account that cannot report its storage is still healthy.
                Err(err) => {
                    tracing::debug!(error = %err, "storage not measured");
                    None
                }
            }
        }
        _ => None,
    };
    session.close().await;
    match checked {
        Ok((message, note)) => {
            stages.ok("session", message, since);
            Ok((note, usage))
        }
        Err(err) => {
            stages.failed("session", &err, since);
            Err(err)
        }
    }
}

/// Tests connection `id` (waiting for a scheduled check of it to finish), stores the outcome
/// (status, times, error) on it and keeps it in the history.
pub async fn test(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    id: i32,
) -> Result<TestReport, ServiceError> {
    let _turn = gate.turn(id).await;
    Ok(run(db, changes, gate, master, Asked::Manually(actor), id).await?.report)
}

/// Who asked for a check; it decides what the check does beside the staged test.
#[derive(Clone, Copy)]
pub(super) enum Asked<'a> {
    /// The Test button, `POST …/test` or Borg UI's test: the card and Borg UI's list show
    /// "testing" while it runs, and the audit log keeps it.
    Manually(&'a Actor),
    /// The health scheduler: the storage is measured in the same session; the card keeps its last
    /// outcome until the new one (a card turning "testing" every 15 minutes says nothing, and
    /// each write waits for SQLite's one writer while a round of a thousand checks runs); nothing
    /// goes to the audit log (a check every 15 minutes is not an action).
    OnSchedule,
}

impl Asked<'_> {
    fn trigger(self) -> Trigger {
        match self {
            Asked::Manually(_) => Trigger::Manual,
            Asked::OnSchedule => Trigger::Scheduled,
        }
    }
}

/// What [`run`] gives back.
pub(super) struct Ran {
    pub report: TestReport,
    /// The storage, when it was measured (a scheduled check that logged in).
    pub storage: Option<Measured>,
    /// `user@host:port`.
    pub label: String,
}

/// The staged test, its outcome on the connection and its row in the history (the caller holds
/// the connection's turn). A scheduled check also measures the storage and gives it back; a full
/// disk (nothing available) is kept as `disk_full`, unhealthy though the login works: the next
/// backup would fail.
pub(super) async fn run(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    asked: Asked<'_>,
    id: i32,
) -> Result<Ran, ServiceError> {
    let (connection, key) = get_with_key(db, id).await?;
    let label = label(&connection);
    let target = connection_target(db, &connection).await?;
    let connection = match asked {
        Asked::Manually(_) => {
            let mut testing: ssh_connection::ActiveModel = connection.into();
            testing.status = Set("testing".into());
            let connection = testing.update(db).await?;
            changes.touched();
            connection
        }
        Asked::OnSchedule => connection,
    };
    let measure = matches!(asked, Asked::OnSchedule);
    let mut stages = Stages::live(&gate.progress, connection_key(id));
    let started = Instant::now();
    let outcome = match &key {
        None => {
            stages.skip(&STAGES[..2]);
            let message = "This connection has no SSH key (it was deleted); redeploy a key to restore access.";
            stages.failed_with("authentication", message);
            Err((message.to_string(), "key_missing"))
        }
        Some(key_row) => {
            let private = private_key(master, key_row)?;
            let _slot = gate.slot(&target.host, target.port).await?;
            let paths = measure.then(|| storage_paths(&connection));
            let result = probe(gate, &target, private, connection.use_sftp_mode, paths.as_ref(), &mut stages).await;
            if stages.passed("authentication") {
                touch_key(db, key_row).await;
            }
            result.map_err(|e| (e.to_string(), e.reason()))
        }
    };
    stages.skip_missing(&STAGES);
    let (outcome, usage) = match outcome {
        Ok((note, usage)) => (Ok(note), usage),
        Err(err) => (Err(err), None),
    };
    let reason = match &outcome {
        Ok(None) => "ok",
        Ok(Some(_)) => "restricted_ok",
        Err((_, reason)) => reason,
    };
    let mut report = TestReport {
        connected: outcome.is_ok(),
        error: outcome.as_ref().err().map(|(message, _)| message.clone()),
        note: outcome.ok().flatten(),
        reason,
        stages: stages.take(),
        millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    if report.connected && usage.as_ref().is_some_and(|u| u.available == 0) {
        report.connected = false;
        report.reason = "disk_full";
        report.error = Some("The host's disk is full: no space is left for backups.".into());
    }
    let saved = save_outcome(db, asked, connection, &report, usage.as_ref()).await;
    changes.touched();
    saved?;
    Ok(Ran { report, storage: usage.as_ref().map(measured), label })
}

/// The outcome on the connection and its row in the history, in one transaction: one commit per
/// check, where SQLite lets one writer in at a time and a round is a thousand checks.
async fn save_outcome(
    db: &DatabaseConnection,
    asked: Asked<'_>,
    connection: ssh_connection::Model,
    report: &TestReport,
    usage: Option<&Usage>,
) -> Result<(), ServiceError> {
    let now = chrono::Utc::now();
    let (id, target) = (connection.id, label(&connection));
    let mut model: ssh_connection::ActiveModel = connection.into();
    model.status = Set(if report.connected { "connected" } else { "failed" }.into());
    model.last_test = Set(Some(now));
    if report.connected {
        model.last_success = Set(Some(now));
    }
    model.error_message = Set(report.error.clone());
    if let Some(usage) = usage {
        model.storage_total = Set(Some(as_i64(usage.total)));
        model.storage_used = Set(Some(as_i64(usage.used)));
        model.storage_available = Set(Some(as_i64(usage.available)));
        model.storage_checked_at = Set(Some(now));
    }
    let detail = report.error.clone().or_else(|| report.note.clone()).unwrap_or_default();
    let txn = db.begin().await?;
    model.update(&txn).await?;
    history::record(&txn, id, asked.trigger(), report, usage.map(measured)).await?;
    match asked {
        Asked::OnSchedule => {
            tracing::debug!(target = %target, connected = report.connected, detail = %detail, "scheduled check");
        }
        Asked::Manually(actor) => {
            tracing::info!(target = %target, connected = report.connected, detail = %detail, "connection test");
            let event =
                Event { action: "connection.tested", target: &target, success: report.connected, detail: &detail };
            audit::record(&txn, actor, event).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// The bytes used and in all, as the history keeps them.
fn measured(usage: &Usage) -> Measured {
    Measured { used: as_i64(usage.used), total: as_i64(usage.total) }
}

/// A byte count as the database keeps it (no disk reaches `i64::MAX`).
fn as_i64(bytes: u64) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}
