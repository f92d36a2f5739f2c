//! A key lent out for a login: its private half, unsealed in memory only for the session, and the
//! record of its last use (shown on the SSH keys page).

use super::store::open_private_key;
use crate::server::entities::ssh_key;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::ssh::keys::private_from_openssh;
use russh::keys::ssh_key::PrivateKey;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

/// The key a login uses, decrypted in memory.
pub fn private_key(master: &MasterKey, key: &ssh_key::Model) -> Result<PrivateKey, ServiceError> {
    let text = open_private_key(master, key)?;
    private_from_openssh(&text).map_err(|e| ServiceError::Internal(format!("stored key {} unreadable: {e}", key.id)))
}

/// Remembers when a key was last used to log in, to the minute: a round of scheduled checks logs
/// in with the same key hundreds of times a minute, and a write for each would be a commit per
/// check that nobody can see on the page (as with API tokens). A failure here must not fail the
/// login.
pub async fn touch_key(db: &impl ConnectionTrait, key: &ssh_key::Model) {
    let now = chrono::Utc::now();
    if !crate::server::services::last_use_is_stale(key.last_used_at, now) {
        return;
    }
    let mut model: ssh_key::ActiveModel = key.clone().into();
    model.last_used_at = Set(Some(now));
    if let Err(err) = model.update(db).await {
        tracing::warn!(key = key.id, error = %err, "could not record the key's last use");
    }
}
