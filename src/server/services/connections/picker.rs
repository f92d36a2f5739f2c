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
    let label = super::store::label(c);
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

/// The connection's backup path when it is set and missing on the host (the Edit form's check,
/// Mnemosynce's path test); `None` when it exists or none is set. A path that names a file is
/// reported as missing too: borg cannot use it as a folder.
pub async fn missing_backup_path(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<Option<String>, ServiceError> {
    let (opened, fs, home, default_path) = open_fs(db, gate, master, id).await?;
    let checked = async {
        let Some(path) = default_path.filter(|p| !p.trim().is_empty()) else {
            return Ok(None);
        };
        let path = normalise(&path, &home)?;
        let kind = fs.kind(&path).await.map_err(|e| ssh_failure("session", e))?;
        Ok((kind != PathKind::Directory).then_some(path))
    }
    .await;
    close(opened, fs).await;
    checked
}

/// Creates `path` and every missing folder above it (mode 0755, like `mkdir -p`), on one SFTP
/// session; a file in the way is a conflict naming it. Answers the path as created.
pub async fn create_path(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    path: &str,
) -> Result<String, ServiceError> {
    if path.trim().is_empty() {
        return Err(ServiceError::invalid("path", "Give the folder to create."));
    }
    let (opened, fs, home, _) = open_fs(db, gate, master, id).await?;
    let made = async {
        let target = normalise(path.trim(), &home)?;
        let mut missing = Vec::new();
        let mut dir = target.clone();
        loop {
            match fs.kind(&dir).await.map_err(|e| ssh_failure("session", e))? {
                PathKind::Directory => break,
                PathKind::Other => {
                    return Err(ServiceError::conflict("path", format!("{dir} exists and is not a folder.")));
                }
                PathKind::Missing => missing.push(dir.clone()),
            }
            match parent_of(&dir) {
                Some(parent) => dir = parent,
                None => break,
            }
        }
        for folder in missing.iter().rev() {
            fs.mkdir(folder, 0o755).await.map_err(|e| ssh_failure("session", e))?;
        }
        Ok(target)
    }
    .await;
    close(opened, fs).await;
    made
}
