//! The one writer of the files in `data/ssh` meant for other tools: `known_hosts`, `ssh_config`
//! with its `config.d` shards (one `Host` block per connection, identities from Keyhaven's agent
//! socket) and `keys/<id>.pub` (public keys only: they tell ssh which agent key to offer).
//!
//! They are a projection of the database, never read back. The writer follows change notices
//! (`changes`): it rewrites only what a pass's notices touch (one `keys/<id>.pub`, not every key;
//! the shard of a changed connection, from blocks kept in memory, not every row), and replaces each
//! file atomically (temporary file in the same directory, fsync, rename), so ssh or borg never read
//! half a file.

mod files;

pub use files::{host_alias, write_atomic};

use super::changes::{Changes, Pending};
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::services::hosts;
use files::{FileOp, apply, config_text, host_block, shard_name, shard_of, ssh_dir};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The first retry after a failed pass, doubled up to `LAST_RETRY` while the failure lasts.
const FIRST_RETRY: Duration = Duration::from_millis(200);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// Ids per `IN (…)` query: well inside what SQLite and PostgreSQL accept.
const IDS_PER_QUERY: usize = 500;

/// Starts the writer for `data_dir/ssh`. Its first pass writes every file.
///
/// It runs on a thread of its own (`background::run_apart`): every request that changed something
/// waits for its pass, so a pass must not queue behind those requests on the request workers
/// (measured with 1,000 connections created by 8 clients against as many public keys, which write
/// no file: median 1.26× → 1.18–1.23×; DEVELOPERS.md). The files themselves are
/// written on a blocking thread of that runtime, so that its event loop keeps running during a
/// pass: a PostgreSQL connection the pool opened for the writer is driven by it, and serves
/// requests afterwards.
pub fn start(db: DatabaseConnection, data_dir: PathBuf, changes: Changes) {
    let writer = Writer { db, data_dir, ssh_dir: None, blocks: BTreeMap::new() };
    tokio::spawn(crate::server::background::run_apart("keyhaven-ssh-files", move || writer.run(changes)));
}

struct Writer {
    db: DatabaseConnection,
    data_dir: PathBuf,
    /// The canonical `data/ssh` the blocks were made for (ssh needs absolute paths).
    ssh_dir: Option<PathBuf>,
    /// `ssh_config` block of each connection, by id: a changed connection replaces its own block,
    /// and its shard is rebuilt from these.
    blocks: BTreeMap<i32, String>,
}

impl Writer {
    async fn run(mut self, changes: Changes) {
        let mut retry = FIRST_RETRY;
        loop {
            // Notices that arrive while a pass writes are merged into the next one (group commit):
            // the pass itself is the batching window. A fixed wait for more notices was measured
            // and cost more than it saved (1,000 creates by 8 clients: 0.95 s with 1 ms, 0.74-0.80 s
            // without).
            let (notice, pending) = changes.take().await;
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
        let shard_dir = ssh_dir.join("config.d");
        let mut shards = BTreeSet::new();
        if everything {
            let keys = self.public_keys(None).await?;
            let names = keys.keys().map(|id| format!("{id}.pub")).collect();
            ops.extend(keys.into_iter().map(|(id, line)| put_key(&key_dir, id, line)));
            ops.push(FileOp::KeepOnly { dir: key_dir, extension: ".pub", names });
            self.blocks = self.connection_blocks(None, &ssh_dir).await?;
            shards.extend(self.blocks.keys().map(|id| shard_of(*id)));
            let names = shards.iter().map(|shard| shard_name(*shard)).collect();
            ops.push(FileOp::KeepOnly { dir: shard_dir.clone(), extension: ".conf", names });
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
                    shards.insert(shard_of(id));
                }
            }
        }
        for shard in shards {
            let path = shard_dir.join(shard_name(shard));
            let ids = shard.saturating_mul(files::SHARD)..shard.saturating_add(1).saturating_mul(files::SHARD);
            let text: String = self.blocks.range(ids).map(|(_, block)| block.as_str()).collect();
            ops.push(if text.is_empty() { FileOp::Remove(path) } else { FileOp::Put { path, text } });
        }
        if everything {
            // After its shards, so that ssh never includes a shard that is not there yet.
            ops.push(FileOp::Put { path: ssh_dir.join("ssh_config"), text: config_text(&ssh_dir) });
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
