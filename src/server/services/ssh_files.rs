//! The one writer of the files in `data/ssh` meant for other tools: `known_hosts`, `ssh_config`
//! (one `Host` block per connection, identities from Keyhaven's agent socket) and `keys/<id>.pub`
//! (public keys only: they tell ssh which agent key to offer).
//!
//! They are a projection of the database, never read back. The writer follows change notices
//! (`changes`): it rewrites only what a pass's notices touch (one `keys/<id>.pub`, not every key;
//! one connection's block, kept in memory, not every row), and replaces each file atomically
//! (temporary file in the same directory, fsync, rename), so ssh or borg never read half a file.

use super::changes::{Changes, Pending};
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::services::hosts;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The first retry after a failed pass, doubled up to `LAST_RETRY` while the failure lasts.
const FIRST_RETRY: Duration = Duration::from_millis(200);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// Ids per `IN (…)` query: well inside what SQLite and PostgreSQL accept.
const IDS_PER_QUERY: usize = 500;

/// Starts the writer task for `data_dir/ssh`. Its first pass writes every file.
/// How long the writer waits after a notice for others to join its pass.
const LINGER: Duration = Duration::from_millis(1);

pub fn start(db: DatabaseConnection, data_dir: PathBuf, changes: Changes) {
    let writer = Writer { db, data_dir, ssh_dir: None, blocks: BTreeMap::new() };
    tokio::spawn(writer.run(changes));
}

struct Writer {
    db: DatabaseConnection,
    data_dir: PathBuf,
    /// The canonical `data/ssh` the blocks were made for (ssh needs absolute paths).
    ssh_dir: Option<PathBuf>,
    /// `ssh_config` block of each connection, by id: a changed connection replaces its own block.
    blocks: BTreeMap<i32, String>,
}

/// One file operation of a pass, done off the async threads.
enum FileOp {
    Put {
        path: PathBuf,
        text: String,
    },
    Remove(PathBuf),
    /// Removes every `*.pub` in the directory but these.
    KeepOnly {
        dir: PathBuf,
        names: BTreeSet<String>,
    },
}

impl Writer {
    async fn run(mut self, changes: Changes) {
        let mut retry = FIRST_RETRY;
        loop {
            let (mut notice, mut pending) = changes.take().await;
            // Requests that change something at the same time publish within a moment of each
            // other: waiting that moment lets one pass cover them all (eight clients creating
            // connections cost a pass each without it).
            tokio::time::sleep(LINGER).await;
            if let Some((last, more)) = changes.take_more() {
                notice = last;
                pending.merge(more);
            }
            match self.pass(&pending).await {
                Ok(()) => {
                    if changes.status().failure.is_some() {
                        tracing::info!("the files in data/ssh are written again");
                    }
                    changes.written(notice);
                    retry = FIRST_RETRY;
                }
                Err(reason) => {
                    if changes.status().failure.as_ref() != Some(&reason) {
                        tracing::error!(reason = %reason, "could not write the files in data/ssh; retrying");
                    }
                    self.ssh_dir = None; // the next pass starts from the database again
                    changes.failed(notice, pending, reason);
                    changes.pause(retry).await;
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
        }
    }

    /// Writes what `pending` touches. The error names a file, never a full path.
    async fn pass(&mut self, pending: &Pending) -> Result<(), String> {
        let ssh_dir = ssh_dir(&self.data_dir)?;
        let everything = pending.everything || self.ssh_dir.as_ref() != Some(&ssh_dir);
        let mut ops = Vec::new();
        let key_dir = ssh_dir.join("keys");
        if everything {
            let keys = self.public_keys(None).await?;
            let names = keys.keys().map(|id| format!("{id}.pub")).collect();
            ops.extend(keys.into_iter().map(|(id, line)| put_key(&key_dir, id, line)));
            ops.push(FileOp::KeepOnly { dir: key_dir, names });
            self.blocks = self.connection_blocks(None, &ssh_dir).await?;
        } else {
            for ids in chunks(&pending.keys) {
                let mut found = self.public_keys(Some(&ids)).await?;
                for id in ids {
                    ops.push(match found.remove(&id) {
                        Some(line) => put_key(&key_dir, id, line),
                        None => FileOp::Remove(key_dir.join(format!("{id}.pub"))),
                    });
                }
            }
            for ids in chunks(&pending.connections) {
                let mut found = self.connection_blocks(Some(&ids), &ssh_dir).await?;
                for id in ids {
                    match found.remove(&id) {
                        Some(block) => self.blocks.insert(id, block),
                        None => self.blocks.remove(&id),
                    };
                }
            }
        }
        if everything || !pending.connections.is_empty() {
            let mut text = String::from(CONFIG_HEADER);
            self.blocks.values().for_each(|block| text.push_str(block));
            ops.push(FileOp::Put { path: ssh_dir.join("ssh_config"), text });
        }
        if everything || pending.host_keys {
            let rows = hosts::list(&self.db).await.map_err(|e| format!("reading known hosts: {e}"))?;
            ops.push(FileOp::Put { path: ssh_dir.join("known_hosts"), text: hosts::export(&rows) });
        }
        tokio::task::spawn_blocking(move || ops.into_iter().try_for_each(apply))
            .await
            .map_err(|e| format!("file writer task: {e}"))??;
        self.ssh_dir = Some(ssh_dir);
        Ok(())
    }

    /// Public key lines by key id: of `ids`, or of every key.
    async fn public_keys(&self, ids: Option<&[i32]>) -> Result<BTreeMap<i32, String>, String> {
        let mut query =
            ssh_key::Entity::find().select_only().columns([ssh_key::Column::Id, ssh_key::Column::PublicKey]);
        if let Some(ids) = ids {
            query = query.filter(ssh_key::Column::Id.is_in(ids.iter().copied()));
        }
        let rows: Vec<(i32, String)> =
            query.into_tuple().all(&self.db).await.map_err(|e| format!("reading keys: {e}"))?;
        Ok(rows.into_iter().collect())
    }

    /// `ssh_config` blocks by connection id: of `ids`, or of every connection.
    async fn connection_blocks(&self, ids: Option<&[i32]>, ssh_dir: &Path) -> Result<BTreeMap<i32, String>, String> {
        use ssh_connection::Column as C;
        let mut query =
            ssh_connection::Entity::find().select_only().columns([C::Id, C::Username, C::Host, C::Port, C::SshKeyId]);
        if let Some(ids) = ids {
            query = query.filter(C::Id.is_in(ids.iter().copied()));
        }
        let rows: Vec<(i32, String, String, i32, Option<i32>)> =
            query.into_tuple().all(&self.db).await.map_err(|e| format!("reading connections: {e}"))?;
        Ok(rows
            .into_iter()
            .map(|(id, username, host, port, key)| (id, host_block(id, &username, &host, port, key, ssh_dir)))
            .collect())
    }
}

fn chunks(ids: &BTreeSet<i32>) -> Vec<Vec<i32>> {
    let ids: Vec<i32> = ids.iter().copied().collect();
    ids.chunks(IDS_PER_QUERY).map(<[i32]>::to_vec).collect()
}

fn put_key(key_dir: &Path, id: i32, line: String) -> FileOp {
    FileOp::Put { path: key_dir.join(format!("{id}.pub")), text: format!("{line}\n") }
}

/// `data/ssh`, created with mode 0700, as an absolute path (ssh resolves relative paths against its
/// own working directory).
fn ssh_dir(data_dir: &Path) -> Result<PathBuf, String> {
    let dir = data_dir.join("ssh");
    std::fs::create_dir_all(&dir).map_err(|e| format!("ssh directory: {e}"))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("ssh directory: {e}"))?;
    std::fs::canonicalize(&dir).map_err(|e| format!("ssh directory: {e}"))
}

fn apply(op: FileOp) -> Result<(), String> {
    let named = |path: &Path, e: std::io::Error| {
        format!("{}: {e}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
    };
    match op {
        FileOp::Put { path, text } => write_atomic(&path, &text, 0o644).map_err(|e| named(&path, e)),
        FileOp::Remove(path) => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(named(&path, e)),
            _ => Ok(()),
        },
        FileOp::KeepOnly { dir, names } => {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(".pub") && !names.contains(&name) {
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

const CONFIG_HEADER: &str = "# Written by Keyhaven from its database; edits here are overwritten.\n";

/// The alias other tools use for connection `id`: `ssh -F data/ssh/ssh_config keyhaven-<id>`.
pub fn host_alias(id: i32) -> String {
    format!("keyhaven-{id}")
}

/// One connection's `ssh_config` block. Hosts and user names are validated on save (no spaces or
/// quotes); paths are quoted.
fn host_block(id: i32, username: &str, host: &str, port: i32, key: Option<i32>, ssh_dir: &Path) -> String {
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
