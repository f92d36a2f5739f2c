//! People's public keys, repositories and their deploy keys.

use serde::{Deserialize, Serialize};

/// A person's public key or a deploy key, as the pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicKeyView {
    pub id: i32,
    pub title: String,
    /// OpenSSH's name for the type, e.g. `ssh-ed25519`.
    pub key_type: String,
    pub bits: i32,
    /// `type base64`.
    pub key: String,
    pub comment: String,
    pub fingerprint: String,
    pub read_only: bool,
    pub created_at: String,
}

/// A backup repository. `can_manage`: the viewer may see and change its deploy keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryView {
    pub id: i32,
    pub owner: String,
    pub name: String,
    pub description: String,
    pub created_at: String,
    pub deploy_key_count: u64,
    pub can_manage: bool,
}

/// One repository with its deploy keys (empty when the viewer may not manage them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryDetail {
    pub repo: RepositoryView,
    pub deploy_keys: Vec<PublicKeyView>,
}
