//! Shapes for connections to remote hosts (Borg UI's field names).

use serde::{Deserialize, Serialize};

/// Remote storage usage, in bytes and formatted with binary units (`"1.00 TB"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StorageView {
    pub total: u64,
    pub total_formatted: String,
    pub used: u64,
    pub used_formatted: String,
    pub available: u64,
    pub available_formatted: String,
    pub percent_used: f64,
    pub last_check: String,
}

/// A connection as `GET /api/ssh-keys/connections` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub id: i32,
    pub ssh_key_id: Option<i32>,
    pub ssh_key_name: Option<String>,
    pub host: String,
    pub username: String,
    pub port: u16,
    pub use_sftp_mode: bool,
    pub default_path: Option<String>,
    pub ssh_path_prefix: Option<String>,
    pub mount_point: Option<String>,
    /// `unknown`, `testing`, `connected` or `failed`.
    pub status: String,
    pub last_test: Option<String>,
    pub last_success: Option<String>,
    pub error_message: Option<String>,
    pub storage: Option<StorageView>,
    pub created_at: String,
}
