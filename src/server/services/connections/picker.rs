//! The Browse panel of the Connections page: a directory of the host to pick the backup path
//! from. Unlike Borg UI's `browse` (which refuses a path that does not exist), a missing path
//! lists its nearest existing parent and names what is missing, so the operator can create it:
//! a saved `default_path` that was never made on the host is the usual first-day case.

use super::browse::{Listing, close, list, normalise, open_fs, parent_of};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::remote::{SshGate, ssh_failure};
use crate::server::ssh::sftp_dirs::PathKind;
use sea_orm::DatabaseConnection;

/// A listing for the picker.
#[derive(Debug)]
pub struct Picked {
    /// `user@host:port`.
    pub label: String,
    pub listing: Listing,
    /// The path asked for, when it does not exist (the listing is its nearest existing parent).
    pub missing: Option<String>,
    /// The connection's backup path (`default_path`), to mark it in the listing.
    pub backup_path: Option<String>,
}

/// Lists `path` on connection `id` (empty: the backup path, else the login directory); a missing
/// path or a file lists the nearest directory above it, on the same SFTP session.
pub async fn pick(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    path: &str,
) -> Result<Picked, ServiceError> {
    let (opened, fs, home, default_path) = open_fs(db, gate, master, id).await?;
    let c = &opened.connection;
    let label = format!("{}@{}:{}", c.username, c.host, c.port);
    let backup_path = default_path.clone();
    let picked = async {
        let wanted = match path.trim() {
            "" => default_path.unwrap_or_else(|| home.clone()),
            other => other.to_string(),
        };
        let mut dir = normalise(&wanted, &home)?;
        let mut missing = None;
        loop {
            match fs.kind(&dir).await.map_err(|e| ssh_failure("session", e))? {
                PathKind::Directory => break,
                PathKind::Missing if missing.is_none() => missing = Some(dir.clone()),
                PathKind::Missing | PathKind::Other => {}
            }
            match parent_of(&dir) {
                Some(parent) => dir = parent,
                None => break,
            }
        }
        let listing = list(&fs, &dir).await?;
        Ok(Picked { label, listing, missing, backup_path })
    }
    .await;
    close(opened, fs).await;
    picked
}
