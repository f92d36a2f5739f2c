//! Trusted host keys: scan a host, show what it offers next to what is trusted, and store a key
//! only when a person confirms one the host offers right now. Keyhaven never logs in to, or sends a
//! password to, a host whose key is not stored here.

use crate::model::{HostKeyView, KnownHostView, ScanResult};
use crate::server::entities::known_host;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use crate::server::services::remote::SshGate;
use crate::server::ssh::error::SshError;
use crate::server::ssh::scan::{self, HostKey};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr, TransactionTrait,
};
use std::time::Duration;

/// TCP connect plus handshake, per scanned key type.
pub const SCAN_TIMEOUT: Duration = Duration::from_secs(10);

/// A DNS name or an IP literal: no scheme, user, port or spaces, never starting with `-` (which
/// other SSH tools would read as an option). Lower-cased, as OpenSSH compares host names.
pub fn validate_host(raw: &str) -> Result<String, ServiceError> {
    let host = raw.trim().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if host.is_empty() {
        return Err(ServiceError::invalid("host", "Host is required."));
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(host);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.len() > 253 || !host.trim_end_matches('.').split('.').all(label_ok) {
        return Err(ServiceError::invalid(
            "host",
            "Host must be a DNS name or an IP address, without a scheme, user name, port or spaces.",
        ));
    }
    Ok(host)
}

pub fn validate_port(port: i64) -> Result<u16, ServiceError> {
    u16::try_from(port)
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| ServiceError::invalid("port", "Port must be a number from 1 to 65535."))
}

/// What an operator can act on when a scan fails.
pub fn scan_error(err: SshError) -> ServiceError {
    ServiceError::invalid("host", format!("The host could not be scanned: {err}."))
}

pub fn to_view(row: &known_host::Model) -> KnownHostView {
    KnownHostView {
        id: row.id,
        host: row.host.clone(),
        port: u16::try_from(row.port).unwrap_or(22),
        key_type: row.key_type.clone(),
        public_key: row.public_key.clone(),
        fingerprint: row.fingerprint.clone(),
        trusted_by: row.trusted_by.clone(),
        created_at: crate::server::services::rfc3339(&row.created_at),
    }
}

pub(super) fn key_view(key: &HostKey) -> HostKeyView {
    HostKeyView {
        key_type: key.key_type.clone(),
        public_key: key.public_key.clone(),
        fingerprint: key.fingerprint.clone(),
    }
}

pub async fn trusted_for(
    db: &impl ConnectionTrait,
    host: &str,
    port: u16,
) -> Result<Vec<known_host::Model>, ServiceError> {
    Ok(known_host::Entity::find()
        .filter(known_host::Column::Host.eq(host))
        .filter(known_host::Column::Port.eq(i32::from(port)))
        .order_by_asc(known_host::Column::Id)
        .all(db)
        .await?)
}

/// Any offered key that is trusted makes the host trusted; trusted keys none of which is offered
/// mean the host's identity changed (even if it now offers only a key of another type).
pub(super) fn status_of(offered: &[HostKey], trusted: &[known_host::Model]) -> &'static str {
    if trusted.is_empty() {
        "new"
    } else if offered.iter().any(|k| trusted.iter().any(|t| t.public_key == k.public_key)) {
        "trusted"
    } else {
        "changed"
    }
}

/// Scans through the SSH gate, so scans count toward the connections a host may see at once.
pub(super) async fn gated_scan(gate: &SshGate, host: &str, port: u16) -> Result<Vec<HostKey>, ServiceError> {
    let _slots = gate.slots(host, port, scan::PARALLEL as u32).await?;
    scan::scan(host, port, SCAN_TIMEOUT).await.map_err(scan_error)
}

pub async fn scan_host(
    db: &impl ConnectionTrait,
    gate: &SshGate,
    host: &str,
    port: i64,
) -> Result<ScanResult, ServiceError> {
    let (host, port) = (validate_host(host)?, validate_port(port)?);
    let offered = gated_scan(gate, &host, port).await?;
    let trusted = trusted_for(db, &host, port).await?;
    Ok(ScanResult {
        status: status_of(&offered, &trusted).to_string(),
        keys: offered.iter().map(key_view).collect(),
        trusted: trusted.iter().map(to_view).collect(),
    })
}

/// Scans the host and picks `public_key` (`type base64 [comment]`) from what it offers now.
async fn offered_now(
    gate: &SshGate,
    host: &str,
    port: u16,
    public_key: &str,
) -> Result<(Vec<HostKey>, HostKey), ServiceError> {
    let wanted = public_key.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    if wanted.is_empty() {
        return Err(ServiceError::invalid("public_key", "Choose the host key to trust."));
    }
    let offered = gated_scan(gate, host, port).await?;
    let key =
        offered.iter().find(|k| k.public_key == wanted).cloned().ok_or_else(|| {
            ServiceError::invalid("public_key", "This host does not offer that key now; scan it again.")
        })?;
    Ok((offered, key))
}

/// A row trusting `key` for `host:port`, recording who trusted it.
pub fn trusted_row(host: &str, port: u16, key: &HostKey, actor: &Actor) -> known_host::ActiveModel {
    known_host::ActiveModel {
        host: Set(host.to_string()),
        port: Set(i32::from(port)),
        key_type: Set(key.key_type.clone()),
        public_key: Set(key.public_key.clone()),
        fingerprint: Set(key.fingerprint.clone()),
        trusted_by: Set(actor.name.clone()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

/// The name OpenSSH writes for a target: `host` on port 22, `[host]:port` otherwise.
pub fn openssh_name(host: &str, port: u16) -> String {
    if port == 22 { host.to_string() } else { format!("[{host}]:{port}") }
}

/// Trusts `public_key` for `host:port` after checking, with a fresh scan, that the host offers it
/// now. A host whose trusted keys it no longer offers needs `replace`, never a silent addition.
pub async fn trust(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    actor: &Actor,
    host: &str,
    port: i64,
    public_key: &str,
) -> Result<known_host::Model, ServiceError> {
    let (host, port) = (validate_host(host)?, validate_port(port)?);
    let (offered, key) = offered_now(gate, &host, port, public_key).await?;
    if status_of(&offered, &trusted_for(db, &host, port).await?) == "changed" {
        return Err(ServiceError::conflict(
            "public_key",
            "The host key CHANGED: this host offers none of the keys trusted for it. An admin must replace the trusted key.",
        ));
    }
    let txn = db.begin().await?;
    let saved = trusted_row(&host, port, &key, actor).insert(&txn).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::conflict("public_key", "This key is already trusted for this host.")
        }
        _ => err.into(),
    })?;
    let target = format!("{host}:{port}");
    let detail = format!("{} {}", saved.key_type, saved.fingerprint);
    audit::record(&txn, actor, Event { action: "known_host.trusted", target: &target, success: true, detail: &detail })
        .await?;
    txn.commit().await?;
    changes.publish(&[Change::HostKeys]).await;
    Ok(saved)
}

/// Replaces every key trusted for the host of `id` with `public_key`, which the host must offer
/// now: the explicit admin step after a "host key CHANGED" warning. Returns the keys it replaced.
pub async fn replace(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    actor: &Actor,
    id: i32,
    public_key: &str,
) -> Result<(Vec<known_host::Model>, known_host::Model), ServiceError> {
    let old = known_host::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Known host not found.".into()))?;
    let port = u16::try_from(old.port).unwrap_or(22);
    let (_, key) = offered_now(gate, &old.host, port, public_key).await?;
    let txn = db.begin().await?;
    let replaced = trusted_for(&txn, &old.host, port).await?;
    known_host::Entity::delete_many()
        .filter(known_host::Column::Host.eq(old.host.clone()))
        .filter(known_host::Column::Port.eq(old.port))
        .exec(&txn)
        .await?;
    let saved = trusted_row(&old.host, port, &key, actor).insert(&txn).await?;
    let target = format!("{}:{}", old.host, old.port);
    let was: Vec<&str> = replaced.iter().map(|r| r.fingerprint.as_str()).collect();
    let detail = format!("{} {} (was {})", saved.key_type, saved.fingerprint, was.join(", "));
    audit::record(
        &txn,
        actor,
        Event { action: "known_host.replaced", target: &target, success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    changes.publish(&[Change::HostKeys]).await;
    Ok((replaced, saved))
}

/// Trusted keys by host, then port, then age: the order of the page, the list and the export.
fn ordered() -> sea_orm::Select<known_host::Entity> {
    known_host::Entity::find()
        .order_by_asc(known_host::Column::Host)
        .order_by_asc(known_host::Column::Port)
        .order_by_asc(known_host::Column::Id)
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<known_host::Model>, ServiceError> {
    Ok(ordered().all(db).await?)
}

/// Rows per page of Settings → Known hosts.
pub const PER_PAGE: u64 = 50;

/// One page of trusted keys, in `list`'s order; past the end is the last page.
pub async fn page(db: &impl ConnectionTrait, page: u64) -> Result<crate::model::KnownHostPage, ServiceError> {
    let found = crate::server::services::paging::fetch::<known_host::Model, _>(db, ordered(), PER_PAGE, page).await?;
    let rows = found.rows.iter().map(to_view).collect();
    Ok(crate::model::KnownHostPage { rows, total: found.total, page: found.page, pages: found.pages })
}

pub async fn remove(db: &DatabaseConnection, changes: &Changes, actor: &Actor, id: i32) -> Result<(), ServiceError> {
    let txn = db.begin().await?;
    let row = known_host::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Known host not found.".into()))?;
    known_host::Entity::delete_by_id(id).exec(&txn).await?;
    let target = format!("{}:{}", row.host, row.port);
    let detail = format!("{} {}", row.key_type, row.fingerprint);
    audit::record(&txn, actor, Event { action: "known_host.removed", target: &target, success: true, detail: &detail })
        .await?;
    txn.commit().await?;
    changes.publish(&[Change::HostKeys]).await;
    Ok(())
}

/// OpenSSH known_hosts text: `host key`, or `[host]:port key` when the port is not 22.
pub fn export(rows: &[known_host::Model]) -> String {
    rows.iter()
        .map(|r| format!("{} {}\n", openssh_name(&r.host, u16::try_from(r.port).unwrap_or(22)), r.public_key))
        .collect()
}
