//! Removing one line of a connection's `authorized_keys` from its inventory page or the API: the
//! operator names the exact line (the page shows it and asks to confirm), Keyhaven logs in with the
//! connection's own key and takes out only lines that are exactly that text, with the same editor
//! as key rotation (under the lock, never truncated, every other byte kept) and never the line of
//! the key it logged in with. The file is read again afterwards, so the drift shows the removal.

use super::reads::read;
use crate::model::InventoryView;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::connections;
use crate::server::services::remote::{SshGate, ssh_failure};
use crate::server::ssh::authorized_file::AuthorizedFile;
use crate::server::ssh::authorized_keys::key_blob;
use crate::server::ssh::authorized_lines::{Entry, parse};
use crate::server::ssh::error::SshError;
use crate::server::ssh::remove_key::Target;
use sea_orm::DatabaseConnection;

/// The longest line accepted (sshd's own limit is 16 KiB per line).
const MAX_LINE: usize = 16 * 1024;

pub(super) fn checked(line: &str) -> Result<&str, ServiceError> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(ServiceError::invalid("line", "Give the exact line, as the inventory shows it."));
    }
    if line.len() > MAX_LINE || line.contains('\n') {
        return Err(ServiceError::invalid("line", "One line of at most 16 KiB, as the inventory shows it."));
    }
    Ok(line)
}

/// What the audit log says about the line: its key's fingerprint (public), or that it was no key.
fn described(line: &str) -> String {
    match parse(line.as_bytes()).into_iter().next().map(|l| l.entry) {
        Some(Entry::Key(key)) => format!("{} {}", key.key_type, key.fingerprint),
        _ => "a line that is not a key".into(),
    }
}

/// Removes `line` from connection `id`'s `authorized_keys` and reads the file again.
pub async fn remove_line(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    actor: &Actor,
    id: i32,
    line: &str,
) -> Result<InventoryView, ServiceError> {
    let line = checked(line)?;
    let (_, key) = connections::get_with_key(db, id).await?;
    let keep = key.as_ref().and_then(|k| key_blob(&k.public_key)).map(str::to_string).unwrap_or_default();
    let opened = connections::open_connection(db, gate, master, id).await?;
    let c = &opened.connection;
    let _account = gate.account(&c.host, u16::try_from(c.port).unwrap_or(22), &c.username).await;
    let target = Target::Line { text: line, keep_blob: &keep };
    let removed = async {
        let file = AuthorizedFile::open(&opened.session, c.use_sftp_mode).await?;
        let removed = file.remove(target).await;
        file.close().await;
        removed
    }
    .await;
    opened.session.close().await;
    let label = connections::label(&opened.connection);
    // The host's slot and the account go back before the file is read again.
    drop((opened._slot, _account));
    let removed = match removed {
        Ok(removed) if removed.lines == 0 => {
            return Err(ServiceError::conflict("line", "This line is not in the file (any more); read it again."));
        }
        Ok(removed) => removed,
        Err(SshError::WouldLockOut) => {
            return Err(ServiceError::conflict(
                "line",
                "This is the line of the key Keyhaven logs in with here; rotate or redeploy the key instead.",
            ));
        }
        Err(err) => return Err(ssh_failure("session", err)),
    };
    let detail = format!("removed {} line(s): {}", removed.lines, described(line));
    audit::record(
        db,
        actor,
        Event { action: "inventory.line_removed", target: &label, success: true, detail: &detail },
    )
    .await?;
    read(db, gate, master, actor, id).await
}
