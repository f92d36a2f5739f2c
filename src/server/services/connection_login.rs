//! Logging in to a connection's host with its key, one timed stage at a time: TCP, host key (only
//! the keys trusted in the database are accepted), authentication. Test, deploy and storage all
//! start here.

use super::known_hosts::trusted_for;
use super::ssh_gate::SshGate;
use super::ssh_keys::open_private_key;
use super::ssh_stages::Stages;
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::ssh::client::{self, Session};
use crate::server::ssh::error::SshError;
use crate::server::ssh::keys::private_from_openssh;
use russh::keys::ssh_key::PrivateKey;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
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

/// The key a connection logs in with, decrypted in memory.
pub fn private_key(master: &MasterKey, key: &ssh_key::Model) -> Result<PrivateKey, ServiceError> {
    let text = open_private_key(master, key)?;
    private_from_openssh(&text).map_err(|e| ServiceError::Internal(format!("stored key {} unreadable: {e}", key.id)))
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

/// Remembers when a key was last used to log in. A failure here must not fail the login.
pub async fn touch_key(db: &impl ConnectionTrait, key: &ssh_key::Model) {
    let mut model: ssh_key::ActiveModel = key.clone().into();
    model.last_used_at = Set(Some(chrono::Utc::now()));
    if let Err(err) = model.update(db).await {
        tracing::warn!(key = key.id, error = %err, "could not record the key's last use");
    }
}
