//! The wizard's first connection: log in to a trusted host with the system key (deploying it
//! first with a one-time password, or checking that it is already installed), and only then save
//! the connection, test it and measure its storage. A failure at any step saves nothing.

use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::Changes;
use crate::server::services::connections::{
    self, ConnectionFields, Deploy, DeployFailure, DeployReport, login_with_key, target_of,
};
use crate::server::services::keys::{private_key, system_key, touch_key};
use crate::server::services::remote::{SshGate, Stages, ssh_failure};
use sea_orm::DatabaseConnection;

/// The progress key of the wizard's connection step (one wizard per install).
pub const PROGRESS_KEY: &str = "setup:connection";

pub struct FirstConnection {
    pub id: i32,
    pub deploy: DeployReport,
    /// Storage could not be measured (the connection works; the page says why).
    pub storage_note: Option<String>,
}

/// `password` empty means "the key is already installed": then no password is sent at all.
pub async fn connect(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    fields: &ConnectionFields,
    password: &str,
) -> Result<FirstConnection, DeployFailure> {
    let fail = |error: ServiceError| DeployFailure { error, stages: Vec::new() };
    let key = system_key(db).await.map_err(fail)?.ok_or_else(|| {
        fail(ServiceError::conflict("ssh_key_id", "There is no system key yet: go back one step and make one."))
    })?;
    let checked = connections::check_new(db, fields).await.map_err(fail)?;
    let missing = || fail(ServiceError::Internal("checked connection fields without a value".into()));
    let host = checked.host.clone().take().ok_or_else(missing)?;
    let port = checked.port.clone().take().ok_or_else(missing)?;
    let username = checked.username.clone().take().ok_or_else(missing)?;
    let use_sftp = checked.use_sftp_mode.clone().take().ok_or_else(missing)?;
    let target = target_of(db, &host, u16::try_from(port).unwrap_or(22), &username).await.map_err(fail)?;
    if target.trusted.is_empty() {
        return Err(fail(ServiceError::conflict(
            "host",
            "The host key is not trusted yet: scan the host and confirm its fingerprint.",
        )));
    }
    let private = private_key(master, &key).map_err(fail)?;
    let deploy = if password.is_empty() {
        let mut stages = Stages::live(&gate.progress, PROGRESS_KEY.into());
        let _slot = gate.slot(&target.host, target.port).await.map_err(fail)?;
        match login_with_key(gate, &target, private, &mut stages).await {
            Ok(session) => {
                session.close().await;
                DeployReport { already_installed: true, warnings: Vec::new(), stages: stages.take() }
            }
            Err(err) => {
                let error = match err {
                    crate::server::ssh::error::SshError::AuthRejected => ServiceError::invalid(
                        "password",
                        "The key is not installed on this host yet: enter the password to deploy it.",
                    ),
                    other => ssh_failure(stages.failed_stage(), other),
                };
                return Err(DeployFailure { error, stages: stages.take() });
            }
        }
    } else {
        let deploy = Deploy {
            target: &target,
            key: &private,
            public_line: &key.public_key,
            password,
            use_sftp,
            progress_key: Some(PROGRESS_KEY.into()),
        };
        connections::install(gate, deploy).await?
    };
    touch_key(db, &key).await;
    let name = format!("{username}@{host}:{port}");
    let detail = if deploy.already_installed { "already installed" } else { "installed by the setup wizard" };
    audit::record(db, actor, Event { action: "connection.deployed", target: &name, success: true, detail })
        .await
        .map_err(fail)?;
    let saved = connections::create(db, changes, actor, fields).await.map_err(fail)?;
    connections::test(db, changes, gate, master, actor, saved.id).await.map_err(fail)?;
    let storage_note =
        connections::refresh_storage(db, changes, gate, master, saved.id).await.err().map(|e| e.to_string());
    Ok(FirstConnection { id: saved.id, deploy, storage_note })
}
