//! What the writer puts on disk, and how: the text of each file, and atomic replacement.
//!
//! `ssh_config` is a fixed header that includes `config.d/*.conf`; connections are grouped by id
//! into shards of `SHARD` (`config.d/000000.conf` holds ids 0–63, and so on), so a change rewrites
//! one small shard, not a file that grows with the estate (10,000 connections are 2.5 MB of
//! blocks). OpenSSH reads the shards in name order, which is id order.

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Connections per `config.d` file.
pub const SHARD: i32 = 64;

/// The shard holding connection `id`.
pub fn shard_of(id: i32) -> i32 {
    id.div_euclid(SHARD)
}

/// `config.d/<shard>.conf`, zero-padded so that name order is id order.
pub fn shard_name(shard: i32) -> String {
    format!("{shard:06}.conf")
}

/// One file operation of a pass, done off the async threads.
pub enum FileOp {
    Put {
        path: PathBuf,
        text: String,
    },
    Remove(PathBuf),
    /// Removes every file in `dir` with this extension but these names.
    KeepOnly {
        dir: PathBuf,
        extension: &'static str,
        names: BTreeSet<String>,
    },
}

/// `data/ssh`, created with mode 0700, as an absolute path (ssh resolves relative paths against its
/// own working directory).
pub fn ssh_dir(data_dir: &Path) -> Result<PathBuf, String> {
    let dir = data_dir.join("ssh");
    std::fs::create_dir_all(&dir).map_err(|e| format!("ssh directory: {e}"))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("ssh directory: {e}"))?;
    std::fs::canonicalize(&dir).map_err(|e| format!("ssh directory: {e}"))
}

/// Does `op`; the error names a file, never a full path.
pub fn apply(op: FileOp) -> Result<(), String> {
    let named = |path: &Path, e: std::io::Error| {
        let parent = path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy()).unwrap_or_default();
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        if parent == "ssh" { format!("{name}: {e}") } else { format!("{parent}/{name}: {e}") }
    };
    match op {
        FileOp::Put { path, text } => write_atomic(&path, &text, 0o644).map_err(|e| named(&path, e)),
        FileOp::Remove(path) => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(named(&path, e)),
            _ => Ok(()),
        },
        FileOp::KeepOnly { dir, extension, names } => {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(extension) && !names.contains(&name) {
                    std::fs::remove_file(entry.path()).map_err(|e| named(&entry.path(), e))?;
                }
            }
            Ok(())
        }
    }
}

/// Writes `contents` to `path` atomically with `mode`; the directory is made 0700.
pub fn write_atomic(path: &Path, contents: &str, mode: u32) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("path has no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&temp)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// `ssh_config` itself: the same for every estate, so it is written once per start.
pub fn config_text(ssh_dir: &Path) -> String {
    format!(
        "# Written by Keyhaven from its database; edits here are overwritten.\n\
         # One Host block per connection, in config.d (grouped by id).\n\
         Include \"{}\"\n",
        ssh_dir.join("config.d").join("*.conf").display()
    )
}

/// The alias other tools use for connection `id`: `ssh -F data/ssh/ssh_config keyhaven-<id>`.
pub fn host_alias(id: i32) -> String {
    format!("keyhaven-{id}")
}

/// One connection's `ssh_config` block. Hosts and user names are validated on save (no spaces or
/// quotes); paths are quoted.
pub fn host_block(id: i32, username: &str, host: &str, port: i32, key: Option<i32>, ssh_dir: &Path) -> String {
    let quoted = |p: &Path| format!("\"{}\"", p.display());
    let alias = host_alias(id);
    let agent = quoted(&ssh_dir.join("agent.sock"));
    let mut text = format!(
        "\n# {username}@{host}:{port}\nHost {alias}\n  HostName {host}\n  Port {port}\n  User {username}\n  IdentityAgent {agent}\n"
    );
    if let Some(key_id) = key {
        text.push_str(&format!("  IdentityFile {}\n", quoted(&ssh_dir.join("keys").join(format!("{key_id}.pub")))));
    }
    text.push_str(&format!(
        "  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  StrictHostKeyChecking yes\n",
        quoted(&ssh_dir.join("known_hosts"))
    ));
    text
}
