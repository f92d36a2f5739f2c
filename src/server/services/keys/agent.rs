//! The SSH agent socket Keyhaven serves at `data/ssh/agent.sock` (0600, owner only) for borg,
//! rsync and ssh, with the active managed keys. `data/ssh/ssh_config` points every connection at it.

use super::in_use::{private_key, touch_key};
use super::store::list_keys;
use crate::server::entities::ssh_key;
use crate::server::secrets::MasterKey;
use crate::server::ssh::agent::{AgentKeys, public_blob, serve_client};
use russh::keys::ssh_key::PrivateKey;
use sea_orm::DatabaseConnection;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct DatabaseKeys {
    pub db: DatabaseConnection,
    pub master: Arc<MasterKey>,
}

impl DatabaseKeys {
    async fn active(&self) -> Vec<(Vec<u8>, ssh_key::Model)> {
        match list_keys(&self.db).await {
            Ok(keys) => keys
                .into_iter()
                .filter(|k| k.is_active)
                .filter_map(|k| public_blob(&k.public_key).map(|blob| (blob, k)))
                .collect(),
            Err(err) => {
                tracing::warn!(error = %err, "SSH agent: cannot list keys");
                Vec::new()
            }
        }
    }
}

impl AgentKeys for DatabaseKeys {
    async fn identities(&self) -> Vec<(Vec<u8>, String)> {
        self.active().await.into_iter().map(|(blob, key)| (blob, format!("keyhaven:{}", key.name))).collect()
    }

    async fn private_key(&self, blob: &[u8]) -> Option<PrivateKey> {
        let (_, key) = self.active().await.into_iter().find(|(b, _)| b == blob)?;
        match private_key(&self.master, &key) {
            Ok(private) => {
                touch_key(&self.db, &key).await;
                tracing::info!(key = %key.name, "SSH agent signed with a managed key");
                Some(private)
            }
            Err(err) => {
                tracing::warn!(key = key.id, error = %err, "SSH agent: cannot open key");
                None
            }
        }
    }
}

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ssh").join("agent.sock")
}

/// Binds the socket (replacing a stale one), restricts it to the owner and serves it until the
/// process ends.
pub fn start_agent(data_dir: &Path, keys: DatabaseKeys) -> std::io::Result<()> {
    let path = socket_path(data_dir);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    let keys = Arc::new(keys);
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve_client(stream, keys.clone()));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "SSH agent socket accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(())
}
