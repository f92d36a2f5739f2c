//! Logging in to a connection's host with its key, one timed stage at a time: TCP, host key (only
//! the keys trusted in the database are accepted), authentication. Test, deploy and storage all
//! start here.

use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::hosts::trusted_for;
use crate::server::services::keys::{private_key, touch_key};
use crate::server::services::remote::{SshGate, SshSlot, Stages, connection_key, ssh_failure};
use crate::server::ssh::client::{self, Session};
use crate::server::ssh::error::SshError;
use russh::keys::ssh_key::PrivateKey;
use sea_orm::ConnectionTrait;
use sea_orm::DatabaseConnection;
use std::time::Instant;

/// Where to log in and which host keys to accept.
pub struct Target {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub trusted: Vec<String>,
}

pub async fn target_of(
    db: &impl ConnectionTrait,
    host: &str,
    port: u16,
    username: &str,
) -> Result<Target, ServiceError> {
    let trusted = trusted_for(db, host, port).await?.into_iter().map(|k| k.public_key).collect();
    Ok(Target { host: host.to_string(), port, username: username.to_string(), trusted })
}

pub async fn connection_target(db: &impl ConnectionTrait, c: &ssh_connection::Model) -> Result<Target, ServiceError> {
    target_of(db, &c.host, u16::try_from(c.port).unwrap_or(22), &c.username).await
}

/// TCP and host key stages: a session with a verified host, nothing about us sent yet.
pub async fn open_verified(gate: &SshGate, target: &Target, stages: &mut Stages) -> Result<Session, SshError> {
    let since = Instant::now();
    let stream = stages.step("tcp", since, client::tcp(&target.host, target.port, gate.timeouts).await, "reached")?;
    let since = Instant::now();
    let session = client::handshake(stream, &target.trusted, gate.timeouts).await;
    stages.step("host_key", since, session, "the host proved a trusted key")
}

/// Opens a session and logs in with `key`.
pub async fn login_with_key(
    gate: &SshGate,
    target: &Target,
    key: PrivateKey,
    stages: &mut Stages,
) -> Result<Session, SshError> {
    let mut session = open_verified(gate, target, stages).await?;
    let since = Instant::now();
    let outcome = session.authenticate_key(&target.username, key).await;
    if let Err(err) = stages.step("authentication", since, outcome, "the key was accepted") {
        session.close().await;
        return Err(err);
    }
    Ok(session)
}

/// A saved connection, logged in with its own key inside its host's slot.
pub struct Opened {
    pub connection: ssh_connection::Model,
    pub session: Session,
    /// The stages so far (tcp, host key, authentication), published live on the connection.
    pub stages: Stages,
    /// Held as long as the session is open.
    pub _slot: SshSlot,
}

/// Logs in to connection `id` with its key, publishing the stages on it: where storage, verify-borg
/// and diagnostics start. A connection whose key was deleted is a conflict naming `ssh_key_id`.
pub async fn open_connection(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<Opened, ServiceError> {
    let (connection, key) = super::store::get_with_key(db, id).await?;
    let key = key.ok_or_else(|| {
        ServiceError::conflict("ssh_key_id", "This connection has no SSH key; redeploy a key to restore access.")
    })?;
    let target = connection_target(db, &connection).await?;
    let private = private_key(master, &key)?;
    let slot = gate.slot(&target.host, target.port).await?;
    let mut stages = Stages::live(&gate.progress, connection_key(id));
    let session =
        login_with_key(gate, &target, private, &mut stages).await.map_err(|e| ssh_failure(stages.failed_stage(), e))?;
    touch_key(db, &key).await;
    Ok(Opened { connection, session, stages, _slot: slot })
}
