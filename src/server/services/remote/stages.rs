//! The steps of a test or a deploy, timed, as the API reports them and the page shows them. A
//! failed step names what broke; the steps after it are reported as skipped.

use super::progress::ProgressBoard;
use crate::model::StageView;
use crate::server::error::ServiceError;
use crate::server::ssh::error::SshError;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct Stages {
    list: Vec<StageView>,
    /// Where each stage is also published while the operation runs (see `ssh_progress`).
    live: Option<(Arc<ProgressBoard>, String)>,
}

impl Drop for Stages {
    /// Every way out of an operation (success, error, `?`) ends its live progress.
    fn drop(&mut self) {
        if let Some((board, key)) = &self.live {
            board.finish(key);
        }
    }
}

impl Stages {
    /// Stages that are also published on `board` under `key` as they happen.
    pub fn live(board: &Arc<ProgressBoard>, key: String) -> Stages {
        board.start(&key);
        Stages { list: Vec::new(), live: Some((board.clone(), key)) }
    }

    fn record(&mut self, stage: StageView) {
        if let Some((board, key)) = &self.live {
            board.push(key, &stage);
        }
        self.list.push(stage);
    }

    fn push(&mut self, name: &str, status: &str, message: String, since: Instant) {
        let millis = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.record(StageView { name: name.into(), status: status.into(), message, millis });
    }

    /// The stages so far, for the answer (the live progress, if any, ends when `self` is dropped).
    pub fn take(&mut self) -> Vec<StageView> {
        std::mem::take(&mut self.list)
    }

    pub fn ok(&mut self, name: &str, message: impl Into<String>, since: Instant) {
        self.push(name, "ok", message.into(), since);
    }

    pub fn failed(&mut self, name: &str, error: &SshError, since: Instant) {
        self.push(name, "failed", error.to_string(), since);
    }

    /// A step that failed before reaching the host (no key to log in with, say).
    pub fn failed_with(&mut self, name: &str, message: impl Into<String>) {
        self.push(name, "failed", message.into(), Instant::now());
    }

    /// Marks `names` as not run (after a failure).
    pub fn skip(&mut self, names: &[&str]) {
        for name in names {
            self.record(StageView {
                name: (*name).into(),
                status: "skipped".into(),
                message: String::new(),
                millis: 0,
            });
        }
    }

    /// Marks every one of `names` not reported yet as skipped.
    pub fn skip_missing(&mut self, names: &[&str]) {
        let missing: Vec<&str> = names.iter().copied().filter(|n| !self.list.iter().any(|s| s.name == *n)).collect();
        self.skip(&missing);
    }

    /// The name of the step that failed ("" when none did).
    pub fn failed_stage(&self) -> &str {
        self.list.iter().find(|s| s.status == "failed").map_or("", |s| s.name.as_str())
    }

    pub fn passed(&self, name: &str) -> bool {
        self.list.iter().any(|s| s.name == name && s.status == "ok")
    }

    /// Records the outcome of one step and passes its value on.
    pub fn step<T>(
        &mut self,
        name: &str,
        since: Instant,
        outcome: Result<T, SshError>,
        ok: &str,
    ) -> Result<T, SshError> {
        match &outcome {
            Ok(_) => self.ok(name, ok, since),
            Err(err) => self.failed(name, err, since),
        }
        outcome
    }
}

/// A failed SSH step as the API answers it: an untrusted or changed host key is a conflict on the
/// host, a rejected password names the password field, a timeout is 504, the rest 502.
pub fn ssh_failure(stage: &str, err: SshError) -> ServiceError {
    match err {
        SshError::HostKeyUnknown { .. } | SshError::HostKeyChanged { .. } => {
            ServiceError::conflict("host", err.to_string())
        }
        SshError::PasswordRejected => ServiceError::invalid("password", "The host rejected the password."),
        other => ServiceError::Remote {
            message: format!("{} failed: {other}", stage_title(stage)),
            timed_out: other.is_timeout(),
        },
    }
}

pub fn stage_title(stage: &str) -> &'static str {
    match stage {
        "tcp" => "Connecting",
        "host_key" => "Checking the host key",
        "authentication" => "Logging in",
        "session" => "Opening a session",
        "install" => "Installing the key",
        "verify" => "Logging in with the key",
        _ => "SSH",
    }
}
