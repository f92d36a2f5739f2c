//! Files in the data dir meant for other tools: `ssh/known_hosts`, `ssh/ssh_config` (one `Host`
//! block per connection, identities from Keyhaven's agent socket) and `ssh/keys/<id>.pub` (public
//! keys only: they tell ssh which agent key to offer).
//! They are derived from the database, never read back, and replaced atomically: written to a
//! temporary file in the same directory, synced, then renamed over the old one, so a reader
//! (ssh, borg) never sees half a file.

use super::{known_hosts, ssh_keys};
use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
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

fn written(path: &Path, result: std::io::Result<()>) -> Result<(), ServiceError> {
    result.map_err(|e| ServiceError::Internal(format!("writing {}: {e}", path.display())))
}

/// One writer at a time: concurrent changes would otherwise share a temporary file.
static SYNC: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Rewrites every derived file from the database. Called after each change and at start-up.
pub async fn sync(db: &impl ConnectionTrait, data_dir: &Path) -> Result<(), ServiceError> {
    let _one_at_a_time = SYNC.lock().await;
    let ssh_dir = data_dir.join("ssh");
    written(&ssh_dir, std::fs::create_dir_all(&ssh_dir))?;
    // Absolute paths: ssh resolves relative ones against its own working directory.
    let ssh_dir = std::fs::canonicalize(&ssh_dir).map_err(|e| ServiceError::Internal(format!("data dir: {e}")))?;
    let known = ssh_dir.join("known_hosts");
    written(&known, write_atomic(&known, &known_hosts::export(&known_hosts::list(db).await?), 0o644))?;
    let keys = ssh_keys::list_keys(db).await?;
    let key_dir = ssh_dir.join("keys");
    for key in &keys {
        let path = key_dir.join(format!("{}.pub", key.id));
        written(&path, write_atomic(&path, &format!("{}\n", key.public_key), 0o644))?;
    }
    let wanted: Vec<String> = keys.iter().map(|k| format!("{}.pub", k.id)).collect();
    for entry in std::fs::read_dir(&key_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".pub") && !wanted.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let rows = ssh_connection::Entity::find().order_by_asc(ssh_connection::Column::Id).all(db).await?;
    let config = ssh_config_text(&rows, &ssh_dir);
    let path = ssh_dir.join("ssh_config");
    written(&path, write_atomic(&path, &config, 0o644))
}

/// The alias other tools use for connection `id`: `ssh -F data/ssh/ssh_config keyhaven-<id>`.
pub fn host_alias(id: i32) -> String {
    format!("keyhaven-{id}")
}

/// `ssh_config` text: hosts and user names are validated (no spaces or quotes); paths are quoted.
pub fn ssh_config_text(connections: &[ssh_connection::Model], ssh_dir: &Path) -> String {
    let quoted = |p: &Path| format!("\"{}\"", p.display());
    let mut text = String::from("# Written by Keyhaven from its database; edits here are overwritten.\n");
    for c in connections {
        text.push_str(&format!(
            "\n# {}@{}:{}\nHost {}\n  HostName {}\n  Port {}\n  User {}\n  IdentityAgent {}\n",
            c.username,
            c.host,
            c.port,
            host_alias(c.id),
            c.host,
            c.port,
            c.username,
            quoted(&ssh_dir.join("agent.sock")),
        ));
        if let Some(key_id) = c.ssh_key_id {
            text.push_str(&format!("  IdentityFile {}\n", quoted(&ssh_dir.join("keys").join(format!("{key_id}.pub")))));
        }
        text.push_str(&format!(
            "  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  StrictHostKeyChecking yes\n",
            quoted(&ssh_dir.join("known_hosts"))
        ));
    }
    text
}
