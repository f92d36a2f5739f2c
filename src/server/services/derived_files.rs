//! Files in the data dir meant for other tools (`ssh/known_hosts` today, `ssh/ssh_config` next).
//! They are derived from the database, never read back, and replaced atomically: written to a
//! temporary file in the same directory, synced, then renamed over the old one, so a reader
//! (ssh, borg) never sees half a file.

use super::known_hosts;
use crate::server::error::ServiceError;
use sea_orm::ConnectionTrait;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Writes `contents` to `path` atomically with `mode`.
pub fn write_atomic(path: &Path, contents: &str, mode: u32) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("path has no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&temp)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, path)
}

/// Rewrites `<data_dir>/ssh/known_hosts` from the trusted keys in the database.
pub async fn sync_known_hosts(db: &impl ConnectionTrait, data_dir: &Path) -> Result<(), ServiceError> {
    let text = known_hosts::export(&known_hosts::list(db).await?);
    let path = data_dir.join("ssh").join("known_hosts");
    write_atomic(&path, &text, 0o644).map_err(|e| ServiceError::Internal(format!("writing {}: {e}", path.display())))
}
