//! Where the setup wizard stands.

use serde::{Deserialize, Serialize};

/// Whether the first admin exists yet; drives the setup gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupStatus {
    pub admin_exists: bool,
    /// `admin`, `key`, `connection` or `done` (kept in the database).
    pub step: String,
    /// Whether the caller is a signed-in admin, who alone can continue the wizard.
    pub can_continue: bool,
}
