//! The setup wizard: admin account, SSH key, first connection. Only the wizard page leaves this
//! folder; its steps and shared actions are private to it.

mod actions;
mod connection;
mod key;
mod wizard;

pub use wizard::SetupPage;
#[cfg(feature = "hydrate")]
pub use wizard::preload_shown_step;
