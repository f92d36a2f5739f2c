//! Borg UI's "add a remote machine" flow: `POST /api/ssh-keys/{key_id}/deploy` and
//! `…/test-connection` name a key and a host, not a connection. The connection of (key, host,
//! user, port) is found or created, so repeating a call never makes a second row, and the answer
//! carries it. Borg UI has no step to confirm a host key, so first contact follows the
//! `host_key_policy` setting or a pinned fingerprint (`hosts::first_contact`); until the host is
//! trusted nothing is saved and nothing is sent to it.

use super::actions::install_on;
use super::deploy::DeployFailure;
use super::probe::{self, TestReport};
use super::store::{self, ConnectionFields, Patch, check_new};
use crate::model::StageView;
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::Actor;
use crate::server::services::changes::Changes;
use crate::server::services::hosts::{ContactError, HostNotTrusted, first_contact};
use crate::server::services::remote::SshGate;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// A key and the host it is for, as the request gives them.
pub struct KeyOnHost<'a> {
    pub key_id: i32,
    /// `host`, `username`, `port`, `use_sftp_mode` and the paths; `ssh_key_id` is ignored.
    pub fields: ConnectionFields,
    /// `host_key_fingerprint`, if the client pins the host's key.
    pub pin: Option<&'a str>,
}

/// What happened on the host; `success: false` is an answer too (Borg UI answers 200 with it).
pub struct KeyOnHostOutcome {
    pub connection: ssh_connection::Model,
    pub success: bool,
    pub message: String,
    pub already_installed: bool,
    pub warnings: Vec<String>,
    pub note: Option<String>,
    pub stages: Vec<StageView>,
}

#[derive(Debug)]
pub enum KeyOnHostError {
    /// The host's key is not trusted and may not be trusted by this call: 409 with fingerprints.
    NotTrusted(HostNotTrusted),
    /// The request itself is wrong (no such key, a bad field): nothing was saved.
    Failed(ServiceError),
}

impl From<ServiceError> for KeyOnHostError {
    fn from(error: ServiceError) -> Self {
        KeyOnHostError::Failed(error)
    }
}

/// Checks the request, trusts the host if this call may, then finds or creates the connection.
async fn prepare(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    actor: &Actor,
    call: &KeyOnHost<'_>,
) -> Result<(ssh_connection::Model, ssh_key::Model), KeyOnHostError> {
    let key = ssh_key::Entity::find_by_id(call.key_id)
        .one(db)
        .await
        .map_err(ServiceError::from)?
        .ok_or_else(|| ServiceError::NotFound("SSH key not found".into()))?;
    let fields = ConnectionFields { ssh_key_id: Patch::Set(key.id), ..call.fields.clone() };
    let mut checked = check_new(db, &fields).await?;
    let missing = || ServiceError::Internal("a checked connection lacks its host".into());
    let (host, username) = (checked.host.take().ok_or_else(missing)?, checked.username.take().ok_or_else(missing)?);
    let port = checked.port.take().ok_or_else(missing)?;
    let port_u16 = u16::try_from(port).unwrap_or(22);
    match first_contact(db, changes, gate, actor, &host, port_u16, call.pin).await {
        Ok(()) => {}
        Err(ContactError::NotTrusted(why)) => return Err(KeyOnHostError::NotTrusted(why)),
        Err(ContactError::Failed(error)) => return Err(error.into()),
    }
    let existing = ssh_connection::Entity::find()
        .filter(ssh_connection::Column::SshKeyId.eq(key.id))
        .filter(ssh_connection::Column::Host.eq(host))
        .filter(ssh_connection::Column::Username.eq(username))
        .filter(ssh_connection::Column::Port.eq(port))
        .one(db)
        .await
        .map_err(ServiceError::from)?;
    let connection = match existing {
        // Only what the request names changes (Borg UI updates the paths it is sent).
        Some(found) => {
            let update = ConnectionFields { host: Patch::Keep, username: Patch::Keep, port: Patch::Keep, ..fields };
            store::update(db, changes, actor, found.id, &update).await?
        }
        None => store::create(db, changes, actor, &fields).await?,
    };
    Ok((connection, key))
}

/// `POST /api/ssh-keys/{key_id}/deploy`: installs the key with a one-time password (or finds it
/// already installed) and keeps the outcome on the connection.
#[allow(clippy::too_many_arguments)] // the request's context, the call, the password
pub async fn deploy_key_on_host(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    call: KeyOnHost<'_>,
    password: &str,
) -> Result<KeyOnHostOutcome, KeyOnHostError> {
    if password.is_empty() {
        return Err(ServiceError::invalid("password", "Password is required to deploy the key.").into());
    }
    let (connection, key) = prepare(db, changes, gate, actor, &call).await?;
    let id = connection.id;
    let outcome = install_on(db, changes, gate, master, actor, connection, &key, password).await;
    let (success, message, report, stages) = match outcome {
        Ok(report) => {
            let message =
                if report.already_installed { "SSH key is already installed" } else { "SSH key deployed successfully" };
            let stages = report.stages.clone();
            (true, message.to_string(), Some(report), stages)
        }
        Err(DeployFailure { error, stages }) => {
            let reason = match error {
                ServiceError::Remote { message, .. }
                | ServiceError::Invalid { message, .. }
                | ServiceError::Conflict { message, .. } => message,
                // Not the host's doing: the request fails as a whole.
                other => return Err(other.into()),
            };
            mark_failed(db, changes, id, &reason).await?;
            (false, format!("SSH key deployment failed: {reason}"), None, stages)
        }
    };
    Ok(KeyOnHostOutcome {
        connection: store::get(db, id).await?,
        success,
        message,
        already_installed: report.as_ref().is_some_and(|r| r.already_installed),
        warnings: report.map(|r| r.warnings).unwrap_or_default(),
        note: None,
        stages,
    })
}

/// `POST /api/ssh-keys/{key_id}/test-connection`: logs in with the key and keeps the outcome.
pub async fn test_key_on_host(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    call: KeyOnHost<'_>,
) -> Result<KeyOnHostOutcome, KeyOnHostError> {
    let (connection, _) = prepare(db, changes, gate, actor, &call).await?;
    let TestReport { connected, error, note, stages, .. } =
        probe::test(db, changes, gate, master, actor, connection.id).await?;
    let message = match &error {
        None => "Connection successful".to_string(),
        Some(reason) => format!("Connection failed: {reason}"),
    };
    Ok(KeyOnHostOutcome {
        connection: store::get(db, connection.id).await?,
        success: connected,
        message,
        already_installed: false,
        warnings: Vec::new(),
        note,
        stages,
    })
}

async fn mark_failed(db: &DatabaseConnection, changes: &Changes, id: i32, reason: &str) -> Result<(), ServiceError> {
    let now = chrono::Utc::now();
    let mut model: ssh_connection::ActiveModel = store::get(db, id).await?.into();
    model.status = Set("failed".into());
    model.error_message = Set(Some(reason.to_string()));
    model.last_test = Set(Some(now));
    model.update(db).await?;
    changes.touched();
    Ok(())
}
