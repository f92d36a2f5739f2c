//! Managed SSH keys as pages and the API show them: public halves and fingerprints only.

use serde::{Deserialize, Serialize};

/// A managed SSH key as pages and the API show it. There is no private key here, ever.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SshKeyView {
    pub id: i32,
    pub name: String,
    pub description: String,
    /// `ed25519`, `ecdsa` or `rsa`.
    pub key_type: String,
    pub bits: i32,
    /// The `.pub` line.
    pub public_key: String,
    /// The comment at the end of the `.pub` line (often `user@host`); may be empty.
    pub comment: String,
    /// `SHA256:…` as OpenSSH prints it.
    pub fingerprint: String,
    pub is_system_key: bool,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_used_at: Option<String>,
    pub connection_count: u64,
    pub active_connections: u64,
    /// Days between rotations, if the key has a period.
    pub rotation_period_days: Option<i32>,
    pub auto_rotate: bool,
    /// When the next rotation is due (RFC 3339), with a period.
    pub rotation_due_at: Option<String>,
    /// Whole days until it is due (negative: overdue).
    pub rotation_due_in_days: Option<i64>,
}

/// A connection that uses a key, listed before the key is deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyUser {
    pub connection_id: i32,
    pub target: String,
}

/// A key with what the SSH Keys page shows beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SshKeyDetail {
    pub key: SshKeyView,
    pub fingerprint_md5: String,
    /// The drunken-bishop picture, as `ssh-keygen -lv` draws it.
    pub randomart: String,
    pub used_by: Vec<KeyUser>,
}
