//! The setup wizard (admin → key → first connection) and Borg UI's quick setup: each step composes
//! the domains below it and records where the wizard stands in `app_setting`.

mod first_connection;
mod quick;
mod wizard;

pub use first_connection::{FirstConnection, PROGRESS_KEY, connect};
pub use quick::{QuickSetup, QuickSetupDone, QuickSetupError, quick_setup};
pub use wizard::{Step, current, go_to, stored_step};
