//! First contact with a host by a client that has no step to confirm its key (Borg UI's frontend
//! and scripts call deploy or test directly). Two ways in besides a person trusting the key on the
//! Known hosts page:
//! - a pinned fingerprint (`host_key_fingerprint`), which the host must offer now;
//! - the `accept-new` policy, OpenSSH's meaning: what a new host offers at first contact is trusted.
//!
//! Either way the keys are written to the audit log with their fingerprints, and a host that
//! already has trusted keys is never touched here: a changed key is refused by the handshake.

use super::trusted::{gated_scan, key_view, status_of, to_view, trusted_for, trusted_row};
use crate::model::{HostKeyPolicy, ScanResult};
use crate::server::entities::known_host;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use crate::server::services::remote::SshGate;
use crate::server::ssh::scan::HostKey;
use sea_orm::{ActiveModelTrait, DatabaseConnection, SqlErr, TransactionTrait};

/// The host's key is not trusted and this call may not trust it: what to tell the client, with
/// what the host offers so that it can check a fingerprint.
#[derive(Debug)]
pub struct HostNotTrusted {
    pub detail: String,
    pub scan: ScanResult,
}

#[derive(Debug)]
pub enum ContactError {
    NotTrusted(HostNotTrusted),
    Failed(ServiceError),
}

impl From<ServiceError> for ContactError {
    fn from(error: ServiceError) -> Self {
        ContactError::Failed(error)
    }
}

/// `SHA256:abc…`, `abc…` and `abc…=` name the same key; fingerprints are case-sensitive base64.
fn same_fingerprint(a: &str, b: &str) -> bool {
    let bare = |f: &str| f.trim().trim_start_matches("SHA256:").trim_end_matches('=').to_string();
    !bare(b).is_empty() && bare(a) == bare(b)
}

fn not_trusted(detail: impl Into<String>, offered: &[HostKey], trusted: &[known_host::Model]) -> ContactError {
    ContactError::NotTrusted(HostNotTrusted {
        detail: detail.into(),
        scan: ScanResult {
            status: status_of(offered, trusted).to_string(),
            keys: offered.iter().map(key_view).collect(),
            trusted: trusted.iter().map(to_view).collect(),
        },
    })
}

/// Makes sure `host:port` has a trusted key before anything logs in to it, trusting what it offers
/// now when `pin` names one of its keys or the policy is `accept-new`. `host` and `port` are
/// validated by the caller.
pub async fn first_contact(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    actor: &Actor,
    host: &str,
    port: u16,
    pin: Option<&str>,
) -> Result<(), ContactError> {
    let pin = pin.map(str::trim).filter(|p| !p.is_empty());
    let trusted = trusted_for(db, host, port).await?;
    if !trusted.is_empty() {
        return match pin {
            Some(pin) if !trusted.iter().any(|t| same_fingerprint(&t.fingerprint, pin)) => {
                let offered = gated_scan(gate, host, port).await?;
                Err(not_trusted(
                    "host_key_fingerprint: no key trusted for this host has this fingerprint.",
                    &offered,
                    &trusted,
                ))
            }
            _ => Ok(()),
        };
    }
    if pin.is_none() && gate.host_key_policy == HostKeyPolicy::Confirm {
        let offered = gated_scan(gate, host, port).await?;
        return Err(not_trusted(
            "The host key is not trusted yet: check a fingerprint below and trust the key (or send host_key_fingerprint), then retry.",
            &offered,
            &trusted,
        ));
    }
    let offered = gated_scan(gate, host, port).await?;
    let chosen: Vec<&HostKey> = match pin {
        Some(pin) => offered.iter().filter(|k| same_fingerprint(&k.fingerprint, pin)).collect(),
        None => offered.iter().collect(),
    };
    if chosen.is_empty() {
        return Err(not_trusted(
            "host_key_fingerprint: the host offers no key with this fingerprint.",
            &offered,
            &trusted,
        ));
    }
    let (action, how) = match pin {
        Some(_) => ("known_host.pinned", "pinned by host_key_fingerprint"),
        None => ("known_host.accepted_new", "accepted at first contact (host_key_policy accept-new)"),
    };
    let txn = db.begin().await.map_err(ServiceError::from)?;
    let target = format!("{host}:{port}");
    for key in chosen {
        match trusted_row(host, port, key, actor).insert(&txn).await {
            // Another request trusted this host a moment ago (its transaction is the one that
            // counts; this one rolls back): the host is trusted, and the handshake checks it.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Ok(()),
            other => other.map_err(ServiceError::from)?,
        };
        let detail = format!("{} {} ({how})", key.key_type, key.fingerprint);
        audit::record(&txn, actor, Event { action, target: &target, success: true, detail: &detail }).await?;
    }
    txn.commit().await.map_err(ServiceError::from)?;
    changes.publish(&[Change::HostKeys]).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::same_fingerprint;

    #[test]
    fn fingerprints_match_with_or_without_prefix_and_padding() {
        let f = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
        assert!(same_fingerprint(f, "nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"));
        assert!(same_fingerprint(f, " SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8= "));
        assert!(!same_fingerprint(f, "SHA256:nthbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"));
        assert!(!same_fingerprint(f, ""));
        assert!(!same_fingerprint(f, "SHA256:"));
    }
}
