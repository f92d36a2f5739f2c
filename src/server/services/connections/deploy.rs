//! Deploying a public key with a one-time password, as `ssh-copy-id` does but in process: the host
//! key is verified first (no session exists for an untrusted host, so the password cannot be sent
//! to one), the key is tried before the password (already installed → nothing written), the file
//! is edited over SFTP or one fixed shell script, and a fresh login with the key proves it works.
//! The password lives only in this call: never stored, logged or audited.

use super::login::{Target, login_with_key, open_verified};
use crate::model::StageView;
use crate::server::error::ServiceError;
use crate::server::services::remote::{SshGate, Stages, ssh_failure};
use crate::server::ssh::error::SshError;
use crate::server::ssh::install_key::{self, Installed};
use crate::server::ssh::sftp::RemoteFs;
use russh::keys::ssh_key::PrivateKey;
use std::time::Instant;

const STAGES: [&str; 5] = ["tcp", "host_key", "authentication", "install", "verify"];

/// What a deploy did.
#[derive(Debug, Default)]
pub struct DeployReport {
    /// The key already logged in; nothing was written and no password was sent.
    pub already_installed: bool,
    pub warnings: Vec<String>,
    pub stages: Vec<StageView>,
}

/// A deploy that failed at a stage, with the stages so far for the page.
#[derive(Debug)]
pub struct DeployFailure {
    pub error: ServiceError,
    pub stages: Vec<StageView>,
}

impl From<DeployFailure> for ServiceError {
    fn from(failure: DeployFailure) -> Self {
        failure.error
    }
}

fn hint(err: SshError) -> SshError {
    match err {
        SshError::SftpUnavailable(detail) => {
            SshError::SftpUnavailable(format!("{detail}; turn SFTP mode off to deploy through the shell"))
        }
        SshError::RestrictedShell(detail) => {
            SshError::RestrictedShell(format!("{detail}; turn SFTP mode on to deploy over SFTP"))
        }
        other => other,
    }
}

/// What to install where: `public_line` (the key of `key`) for `target.username`, logging in with
/// `password` only when the key does not work yet.
pub struct Deploy<'a> {
    pub target: &'a Target,
    pub key: &'a PrivateKey,
    pub public_line: &'a str,
    pub password: &'a str,
    pub use_sftp: bool,
    /// Where the stages are published as they happen (`ssh_progress`), if anywhere.
    pub progress_key: Option<String>,
}

pub async fn install(gate: &SshGate, deploy: Deploy<'_>) -> Result<DeployReport, DeployFailure> {
    let mut stages = match &deploy.progress_key {
        Some(key) => Stages::live(&gate.progress, key.clone()),
        None => Stages::default(),
    };
    let result = run(gate, &deploy, &mut stages).await;
    let failed_at = stages.failed_stage().to_string();
    stages.skip_missing(&STAGES);
    match result {
        Ok(mut report) => {
            report.stages = stages.take();
            Ok(report)
        }
        Err(err) => Err(DeployFailure { error: ssh_failure(&failed_at, err), stages: stages.take() }),
    }
}

/// Every failure is recorded as a failed stage before it is returned.
async fn run(gate: &SshGate, deploy: &Deploy<'_>, stages: &mut Stages) -> Result<DeployReport, SshError> {
    let Deploy { target, key, public_line, password, use_sftp, .. } = *deploy;
    let Ok(_slot) = gate.slot(&target.host, target.port).await else {
        let err = SshError::Protocol("no connection slot".into());
        stages.failed_with("tcp", err.to_string());
        return Err(err);
    };
    let mut session = open_verified(gate, target, stages).await?;
    let since = Instant::now();
    match session.authenticate_key(&target.username, key.clone()).await {
        Ok(()) => {
            stages.ok("authentication", "the key already works: already installed", since);
            stages.skip(&["install"]);
            stages.ok("verify", "nothing written", since);
            session.close().await;
            return Ok(DeployReport { already_installed: true, ..Default::default() });
        }
        Err(SshError::AuthRejected) => {}
        Err(err) => {
            stages.failed("authentication", &err, since);
            return Err(err);
        }
    }
    // From here to the verification, this account's authorized_keys is ours alone.
    let _account = gate.account(&target.host, target.port, &target.username).await;
    let outcome = session.authenticate_password(&target.username, password).await;
    stages.step("authentication", since, outcome, "logged in with the password")?;
    let since = Instant::now();
    let installed = if use_sftp {
        match RemoteFs::open(&session).await {
            Ok(fs) => {
                let result = install_key::over_sftp(&fs, public_line).await;
                fs.close().await;
                result
            }
            Err(err) => Err(err),
        }
    } else {
        install_key::over_shell(&session, public_line).await
    }
    .map_err(hint);
    session.close().await;
    let Installed { written, warnings } = stages.step("install", since, installed, "authorized_keys updated")?;
    let since = Instant::now();
    let mut verify_stages = Stages::default();
    match login_with_key(gate, target, key.clone(), &mut verify_stages).await {
        Ok(session) => {
            session.close().await;
            stages.ok("verify", "the key logs in", since);
            Ok(DeployReport { already_installed: !written, warnings, stages: Vec::new() })
        }
        Err(err) => {
            let explained = if warnings.is_empty() { err.to_string() } else { warnings.join("; ") };
            let err =
                SshError::PermissionDenied(format!("the key was written but the host does not accept it: {explained}"));
            stages.failed("verify", &err, since);
            Err(err)
        }
    }
}
