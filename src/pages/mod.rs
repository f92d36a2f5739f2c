//! One routed page per file. Pages use components, `PostForm`s and resources only.

pub mod accounts;
pub mod alerts;
pub mod audit;
pub mod connections;
pub mod dashboard;
pub mod health;
pub mod hosts;
pub mod inventory;
pub mod keys;
pub mod lazy;
pub mod not_found;
pub mod public_keys;
pub mod rotation;
pub mod setup;
