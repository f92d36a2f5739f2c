//! The inventory's pages: one connection's `authorized_keys`, and the fleet view across them.

mod connection;
mod fleet;
mod run;

pub use connection::InventoryPage;
pub use fleet::KeyInventoryPage;
