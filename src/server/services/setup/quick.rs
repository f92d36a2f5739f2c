//! `POST /api/ssh-keys/quick-setup`: make a key, deploy it with a one-time password, and save the
//! key and its connection — all or nothing. The key is generated in memory and saved only after
//! the deploy worked; an untrusted host stops everything before a byte is sent to it.

use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::Actor;
use crate::server::services::changes::{Change, Changes};
use crate::server::services::connections::{
    self, ConnectionFields, Deploy, DeployFailure, DeployReport, Patch, target_of, validate_username,
};
use crate::server::services::hosts::{ContactError, HostNotTrusted, first_contact, validate_host, validate_port};
use crate::server::services::keys::{key_error, store_key, system_key, touch_key, validate_name};
use crate::server::services::remote::SshGate;
use crate::server::ssh::keys::{self, KeySpec, private_from_openssh};
use sea_orm::{DatabaseConnection, TransactionTrait};

pub struct QuickSetup<'a> {
    pub name: &'a str,
    pub key_type: &'a str,
    pub host: &'a str,
    pub username: &'a str,
    pub port: i64,
    pub password: &'a str,
    pub skip_deployment: bool,
    pub use_sftp_mode: bool,
    /// A fingerprint the client pins the host's key to (`SHA256:…`), if it sent one.
    pub host_key_fingerprint: Option<&'a str>,
}

#[derive(Debug)]
pub enum QuickSetupError {
    /// The host's key is not trusted yet: confirm one of these and retry.
    HostNotTrusted(HostNotTrusted),
    Failed(DeployFailure),
}

impl From<ServiceError> for QuickSetupError {
    fn from(error: ServiceError) -> Self {
        QuickSetupError::Failed(DeployFailure { error, stages: Vec::new() })
    }
}

pub struct QuickSetupDone {
    pub key: ssh_key::Model,
    pub connection: ssh_connection::Model,
    /// None when the deployment was skipped.
    pub deploy: Option<DeployReport>,
}

pub async fn quick_setup(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    request: QuickSetup<'_>,
) -> Result<QuickSetupDone, QuickSetupError> {
    let system = system_key(db).await?.is_none();
    let name = validate_name(request.name)?;
    let spec = KeySpec::parse(request.key_type, None).map_err(|m| ServiceError::invalid("key_type", m))?;
    let (host, port) = (validate_host(request.host)?, validate_port(request.port)?);
    let username = validate_username(request.username)?;
    if !request.skip_deployment && request.password.is_empty() {
        return Err(
            ServiceError::invalid("password", "Password is required to deploy the key (or skip deployment).").into()
        );
    }
    match first_contact(db, changes, gate, actor, &host, port, request.host_key_fingerprint).await {
        Ok(()) => {}
        Err(ContactError::NotTrusted(why)) => return Err(QuickSetupError::HostNotTrusted(why)),
        Err(ContactError::Failed(error)) => return Err(error.into()),
    }
    let target = target_of(db, &host, port, &username).await?;
    let comment = format!("keyhaven-{}", name.replace(' ', "-").to_ascii_lowercase());
    let material = keys::generate(spec, &comment).await.map_err(|e| key_error("key_type", e))?;
    let deploy = if request.skip_deployment {
        None
    } else {
        let private = private_from_openssh(&material.private_openssh).map_err(|e| key_error("key_type", e))?;
        let deploy = Deploy {
            target: &target,
            key: &private,
            public_line: &material.public_openssh,
            password: request.password,
            use_sftp: request.use_sftp_mode,
            progress_key: None,
        };
        let report = connections::install(gate, deploy).await.map_err(QuickSetupError::Failed)?;
        Some(report)
    };
    let txn = db.begin().await.map_err(ServiceError::from)?;
    let key = store_key(&txn, master, actor, &name, "", system, material, "ssh_key.generated").await?;
    let fields = ConnectionFields {
        host: Patch::Set(host),
        username: Patch::Set(username),
        port: Patch::Set(i64::from(port)),
        ssh_key_id: Patch::Set(key.id),
        use_sftp_mode: Patch::Set(request.use_sftp_mode),
        ..Default::default()
    };
    let mut connection = connections::insert_connection(&txn, actor, &fields).await?;
    if deploy.is_some() {
        connection = connections::mark_connected(&txn, connection).await?;
        touch_key(&txn, &key).await;
    }
    txn.commit().await.map_err(ServiceError::from)?;
    changes.publish(&[Change::Key(key.id), Change::Connection(connection.id)]).await;
    Ok(QuickSetupDone { key, connection, deploy })
}
