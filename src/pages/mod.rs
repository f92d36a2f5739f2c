//! One routed page per file. Pages use components, `PostForm`s and resources only.

pub mod audit;
pub mod connections;
pub mod dashboard;
pub mod known_hosts;
pub mod lazy;
pub mod login;
pub mod not_found;
pub mod public_keys;
pub mod repositories;
pub mod repository;
pub mod setup;
pub mod setup_connection;
pub mod setup_key;
pub mod ssh_keys;
pub mod tokens;
pub mod users;
