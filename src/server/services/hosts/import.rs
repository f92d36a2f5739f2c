//! Importing OpenSSH known_hosts text. Plain names, `[host]:port` and comma-separated names import
//! directly. A hashed name (`|1|salt|hmac`) hides its host, so it imports only when it matches a
//! host Keyhaven already knows or one the caller names. Markers (`@revoked`, `@cert-authority`)
//! and patterns (`*`, `?`, `!`) are reported as skipped, never half-understood.

use super::trusted::{openssh_name, trusted_row, validate_host, validate_port};
use crate::server::entities::known_host;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use crate::server::ssh::public_key::{self as parser, KeyPolicy};
use crate::server::ssh::scan::HostKey;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, TransactionTrait};
use serde::Serialize;
use std::collections::HashMap;

const MAX_TEXT: usize = 1024 * 1024;

/// A line that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportReport {
    pub imported: usize,
    pub already_trusted: usize,
    pub skipped: Vec<Skipped>,
}

fn host_key_policy() -> KeyPolicy {
    let types = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"];
    KeyPolicy { allowed_types: types.iter().map(|t| t.to_string()).collect(), min_rsa_bits: 2048 }
}

/// `[host]:port` or `host` (port 22).
fn split_target(name: &str) -> Result<(String, u16), String> {
    let (host, port) = match name.strip_prefix('[').and_then(|rest| rest.split_once("]:")) {
        Some((host, port)) => (host, port.parse::<i64>().map_err(|_| format!("bad port in {name}"))?),
        None => (name, 22),
    };
    let host = validate_host(host).map_err(|e| e.to_string())?;
    let port = validate_port(port).map_err(|e| e.to_string())?;
    Ok((host, port))
}

/// Which candidate a `|1|salt|hmac` name stands for (HMAC-SHA1 of the name, keyed by the salt).
fn unhash(hashed: &str, candidates: &[(String, u16)]) -> Option<(String, u16)> {
    let mut parts = hashed.strip_prefix("|1|")?.split('|');
    let salt = STANDARD.decode(parts.next()?).ok()?;
    let expected = STANDARD.decode(parts.next()?).ok()?;
    candidates.iter().find_map(|(host, port)| {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt).ok()?;
        mac.update(openssh_name(host, *port).as_bytes());
        mac.verify_slice(&expected).ok().map(|_| (host.clone(), *port))
    })
}

/// The targets each line names, or why the line is skipped.
fn targets_of(names: &str, candidates: &[(String, u16)]) -> Result<Vec<(String, u16)>, String> {
    names
        .split(',')
        .map(|name| {
            if name.starts_with("|1|") {
                unhash(name, candidates).ok_or_else(|| {
                    "hashed name of a host Keyhaven does not know; add the host first or name it in `hosts`".to_string()
                })
            } else if name.contains(['*', '?', '!']) {
                Err(format!("patterns ({name}) are not imported; list hosts by name"))
            } else {
                split_target(name)
            }
        })
        .collect()
}

/// The hosts (name, port) a known_hosts line names and the key it gives them.
pub type ParsedLine = (Vec<(String, u16)>, HostKey);

/// One line of known_hosts text: the hosts it names and their key, `None` for a blank line or a
/// comment, or why the line is skipped. Pure, so that it can be fed anything.
pub fn parse_line(raw: &str, candidates: &[(String, u16)]) -> Result<Option<ParsedLine>, String> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    if line.starts_with('@') {
        return Err("markers (@revoked, @cert-authority) are not imported".into());
    }
    let Some((names, key_text)) = line.split_once(char::is_whitespace) else {
        return Err("no key after the host name".into());
    };
    let parsed = parser::parse(key_text, &host_key_policy()).map_err(|err| err.to_string())?;
    let key = HostKey { key_type: parsed.key_type, public_key: parsed.key, fingerprint: parsed.fingerprint };
    Ok(Some((targets_of(names, candidates)?, key)))
}

/// Imports `text`. `extra_hosts` are `host` or `[host]:port` names to try hashed entries against,
/// besides the hosts already trusted.
pub async fn import(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    text: &str,
    extra_hosts: &[String],
) -> Result<ImportReport, ServiceError> {
    if text.len() > MAX_TEXT {
        return Err(ServiceError::invalid("text", "A known_hosts file to import is at most 1 MB."));
    }
    // The keys trusted before this import: a different key for one of these hosts is a changed key,
    // reported and skipped as a scan would, never added beside the trusted one. (Several keys for a
    // host that is new here, as ssh-keyscan prints them, all import.) Their hosts, and the ones the
    // caller names, are what hashed names are tried against.
    let mut trusted_before: HashMap<(String, u16), Vec<String>> = HashMap::new();
    for row in known_host::Entity::find().all(db).await? {
        trusted_before.entry((row.host, u16::try_from(row.port).unwrap_or(22))).or_default().push(row.fingerprint);
    }
    let mut candidates: Vec<(String, u16)> = trusted_before.keys().cloned().collect();
    candidates.extend(extra_hosts.iter().filter_map(|h| split_target(h.trim()).ok()));
    let mut report = ImportReport { imported: 0, already_trusted: 0, skipped: Vec::new() };
    let txn = db.begin().await?;
    for (index, raw) in text.lines().enumerate() {
        let skip = |reason: String| Skipped { line: index + 1, reason };
        let (targets, key) = match parse_line(raw, &candidates) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => continue,
            Err(reason) => {
                report.skipped.push(skip(reason));
                continue;
            }
        };
        for (host, port) in targets {
            if let Some(trusted) = trusted_before.get(&(host.clone(), port))
                && !trusted.contains(&key.fingerprint)
            {
                report.skipped.push(skip(format!(
                    "host key CHANGED for {}: trusted {}, this line has {}; check with the host's owner, then \
                     replace the key on the Known hosts page",
                    openssh_name(&host, port),
                    trusted.join(", "),
                    key.fingerprint
                )));
                continue;
            }
            let row = trusted_row(&host, port, &key, actor);
            // ON CONFLICT DO NOTHING: a failed insert would abort the whole transaction on PostgreSQL.
            let columns = [known_host::Column::Host, known_host::Column::Port, known_host::Column::Fingerprint];
            let insert =
                known_host::Entity::insert(row).on_conflict(OnConflict::columns(columns).do_nothing().to_owned());
            match insert.exec(&txn).await {
                Ok(_) => report.imported += 1,
                Err(DbErr::RecordNotInserted) => report.already_trusted += 1,
                Err(err) => return Err(err.into()),
            }
        }
    }
    let detail = format!("{} imported, {} skipped", report.imported, report.skipped.len());
    audit::record(
        &txn,
        actor,
        Event { action: "known_host.imported", target: "known_hosts", success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    if report.imported > 0 {
        changes.publish(&[Change::HostKeys]).await;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_name_matches_only_its_own_host_and_port() {
        let salt = [7u8; 20];
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt).unwrap();
        mac.update(b"[backup.example]:2222");
        let hashed = format!("|1|{}|{}", STANDARD.encode(salt), STANDARD.encode(mac.finalize().into_bytes()));
        let candidates = vec![("backup.example".to_string(), 22), ("backup.example".to_string(), 2222)];
        assert_eq!(unhash(&hashed, &candidates), Some(("backup.example".into(), 2222)));
        assert_eq!(unhash(&hashed, &candidates[..1]), None);
    }
}
