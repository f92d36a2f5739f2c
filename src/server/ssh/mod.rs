//! Everything that touches russh and its ssh-key crate lives here, behind plain types, so the rest
//! of Keyhaven never depends on an SSH library's API.

pub mod client;
pub mod error;
pub mod keys;
mod legacy_pem;
pub mod public_key;
pub mod scan;
