//! Everything that touches russh, russh-sftp and the ssh-key crate lives here, behind plain types,
//! so the rest of Keyhaven never depends on an SSH library's API.

pub mod agent;
pub mod authorized_file;
pub mod authorized_keys;
pub mod authorized_lines;
pub mod client;
pub mod error;
pub mod install_key;
mod kdf_limits;
pub mod keys;
mod legacy_pem;
pub mod public_key;
pub mod read_authorized;
pub mod remove_key;
pub mod scan;
pub mod sftp;
pub mod sftp_dirs;
pub mod storage;
