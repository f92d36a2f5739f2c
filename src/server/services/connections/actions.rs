//! Redeploy and storage refresh on a saved connection: each logs in, does its work, and records
//! the outcome on the connection and in the audit log (never the password).

use super::deploy::{self, Deploy, DeployFailure, DeployReport};
use super::login::{Opened, connection_target, open_connection};
use super::store;
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use crate::server::services::keys::system_key;
use crate::server::services::keys::{private_key, touch_key};
use crate::server::services::remote::{SshGate, connection_key, ssh_failure};
use crate::server::ssh::storage;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

fn target_name(c: &ssh_connection::Model) -> String {
    format!("{}@{}:{}", c.username, c.host, c.port)
}

/// Deploys the system key to connection `id` with a one-time password; the connection then uses
/// the system key and is marked connected.
pub async fn redeploy(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    id: i32,
    password: &str,
) -> Result<DeployReport, DeployFailure> {
    let fail = |error: ServiceError| DeployFailure { error, stages: Vec::new() };
    if password.is_empty() {
        return Err(fail(ServiceError::invalid("password", "Password is required to deploy the key.")));
    }
    let connection = store::get(db, id).await.map_err(fail)?;
    let key = system_key(db)
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ServiceError::conflict("ssh_key_id", "There is no system key yet; generate one first.")))?;
    install_on(db, changes, gate, master, actor, connection, &key, password).await
}

/// Installs `key` on `connection`'s account (the password only if the key does not log in yet);
/// on success the connection uses `key` and is marked connected. Audited either way.
#[allow(clippy::too_many_arguments)] // the request's context, the connection, the key, the password
pub(super) async fn install_on(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    connection: ssh_connection::Model,
    key: &ssh_key::Model,
    password: &str,
) -> Result<DeployReport, DeployFailure> {
    let fail = |error: ServiceError| DeployFailure { error, stages: Vec::new() };
    let id = connection.id;
    let target = connection_target(db, &connection).await.map_err(fail)?;
    let private = private_key(master, key).map_err(fail)?;
    let deploy = Deploy {
        target: &target,
        key: &private,
        public_line: &key.public_key,
        password,
        use_sftp: connection.use_sftp_mode,
        progress_key: Some(connection_key(id)),
    };
    let outcome = deploy::install(gate, deploy).await;
    let name = target_name(&connection);
    let (success, detail) = match &outcome {
        Ok(r) if r.already_installed => (true, "already installed".to_string()),
        Ok(r) => (
            true,
            ["installed".to_string()].into_iter().chain(r.warnings.iter().cloned()).collect::<Vec<_>>().join("; "),
        ),
        Err(f) => (false, f.error.to_string()),
    };
    if success {
        let now = chrono::Utc::now();
        let mut model: ssh_connection::ActiveModel = connection.into();
        model.ssh_key_id = Set(Some(key.id));
        model.status = Set("connected".into());
        model.last_test = Set(Some(now));
        model.last_success = Set(Some(now));
        model.error_message = Set(None);
        model.updated_at = Set(now);
        model.update(db).await.map_err(|e| fail(e.into()))?;
        changes.publish(&[Change::Connection(id)]).await;
        touch_key(db, key).await;
    }
    tracing::info!(connection = id, target = %name, success, detail = %detail, "key deploy");
    audit::record(db, actor, Event { action: "connection.deployed", target: &name, success, detail: &detail })
        .await
        .map_err(fail)?;
    outcome
}

/// Measures the storage under the connection's `default_path` (or its login directory) and keeps it.
pub async fn refresh_storage(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<ssh_connection::Model, ServiceError> {
    let Opened { connection, session, .. } = open_connection(db, gate, master, id).await?;
    let (sftp_path, shell_path) = super::probe::storage_paths(&connection);
    let measured = storage::usage(&session, sftp_path.as_deref(), shell_path.as_deref()).await;
    session.close().await;
    let usage = measured.map_err(|e| ssh_failure("session", e))?;
    let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let mut model: ssh_connection::ActiveModel = connection.into();
    model.storage_total = Set(Some(as_i64(usage.total)));
    model.storage_used = Set(Some(as_i64(usage.used)));
    model.storage_available = Set(Some(as_i64(usage.available)));
    model.storage_checked_at = Set(Some(chrono::Utc::now()));
    let saved = model.update(db).await?;
    changes.touched();
    Ok(saved)
}
