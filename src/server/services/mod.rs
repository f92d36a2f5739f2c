//! The domain. Services are plain async functions that take what they need (a database handle, an
//! actor for the audit log), so tests run them on a fresh database without a web server.
//!
//! Each domain is a folder whose `mod.rs` is its only door; its files are private. Domains import
//! only downwards (setup → connections → hosts, keys → the floor) and each table has one writing
//! domain. The floor: `audit`, `paging`, `changes` (change notices), `ssh_files` (their one writer),
//! `ready_answers` (answers kept between changes) and `remote` (SSH slots, stages and progress).

pub mod accounts;
pub mod alerts;
pub mod connections;
pub mod health;
pub mod hosts;
pub mod inventory;
pub mod keys;
pub mod public_keys;
pub mod rotation;
pub mod setup;

pub mod audit;
pub mod changes;
pub mod paging;
pub mod ready_answers;
pub mod remote;
pub mod ssh_files;

/// Whether a recorded last use (of a key, of an API token) is old enough to write again at `now`:
/// uses are kept to the minute, so busy clients and rounds of checks do not commit on every use.
pub fn last_use_is_stale(recorded: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> bool {
    recorded.is_none_or(|at| now - at > chrono::Duration::seconds(60))
}

/// Timestamps cross the wire as RFC 3339 in UTC with a `Z`, as GitHub and Borg UI send them.
pub fn rfc3339(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
