//! Logging in to a connection's host with its key, one timed stage at a time: TCP, host key (only
//! the keys trusted in the database are accepted), authentication. Test, deploy and storage all
//! start here.

use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use crate::server::services::hosts::trusted_for;
use crate::server::services::remote::{SshGate, Stages};
use crate::server::ssh::client::{self, Session};
use crate::server::ssh::error::SshError;
use russh::keys::ssh_key::PrivateKey;
use sea_orm::ConnectionTrait;
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
