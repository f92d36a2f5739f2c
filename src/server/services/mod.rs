//! The domain. Services are plain async functions that take what they need (a database handle, an
//! actor for the audit log), so tests run them on a fresh database without a web server.

pub mod audit;
pub mod changes;
pub mod connection_actions;
pub mod connection_deploy;
pub mod connection_lists;
pub mod connection_login;
pub mod connection_test;
pub mod connections;
pub mod key_cache;
pub mod key_paths;
pub mod known_hosts;
pub mod known_hosts_import;
pub mod login;
pub mod master_key;
pub mod paging;
pub mod passwords;
pub mod public_keys;
pub mod quick_setup;
pub mod repositories;
pub mod setup_connection;
pub mod setup_wizard;
pub mod ssh_agent;
pub mod ssh_files;
pub mod ssh_gate;
pub mod ssh_key_usage;
pub mod ssh_keys;
pub mod ssh_progress;
pub mod ssh_stages;
pub mod tokens;
pub mod users;

/// Timestamps cross the wire as RFC 3339 in UTC with a `Z`, as GitHub and Borg UI send them.
pub fn rfc3339(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
