//! What a key rotation shows while it runs and afterwards: the job, and every connection it moves
//! with the state that connection has reached.

use serde::{Deserialize, Serialize};

/// The states of one connection, in the order a rotation goes through them.
pub mod host_state {
    /// Not started.
    pub const PENDING: &str = "pending";
    /// The new key's line was added (logged in with the old key).
    pub const STAGED: &str = "staged";
    /// The new key logged in alone.
    pub const VERIFIED: &str = "verified";
    /// The connection uses the new key.
    pub const SWITCHED: &str = "switched";
    /// The old key's line was removed: done.
    pub const CLEANED: &str = "cleaned";
    pub const FAILED: &str = "failed";
    /// Left out: the connection no longer uses the old key, or an operator skipped it.
    pub const SKIPPED: &str = "skipped";
    /// A dry run looked at the host and changed nothing.
    pub const CHECKED: &str = "checked";
    /// Back on the old key, the new key's line removed.
    pub const ROLLED_BACK: &str = "rolled_back";
}

/// The states of a rotation.
pub mod rotation_state {
    pub const RUNNING: &str = "running";
    /// Done with the hosts it could do; some failed, need a manual step, or still hold the old key.
    pub const ATTENTION: &str = "attention";
    /// Every connection moved; the successor took the old key's name (and system slot).
    pub const FINISHED: &str = "finished";
    /// A dry run: hosts were looked at, nothing was changed.
    pub const DRY_RUN: &str = "dry_run";
    /// Going back: every connection returns to the old key.
    pub const ROLLING_BACK: &str = "rolling_back";
    /// Every connection is back on the old key; the successor was deleted.
    pub const ROLLED_BACK: &str = "rolled_back";

    /// The rotation is working on its hosts (going forward or back): its page follows it.
    pub fn in_progress(state: &str) -> bool {
        state == RUNNING || state == ROLLING_BACK
    }
}

/// One connection in a rotation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RotationHostView {
    pub connection_id: i32,
    /// `user@host:port` when the rotation started.
    pub connection: String,
    /// One of [`host_state`].
    pub state: String,
    /// The last state reached before a failure (where a retry resumes).
    pub reached: String,
    /// Why it failed, what was done, or what a dry run would do.
    pub detail: Option<String>,
    /// Keyhaven cannot edit this host: a one-time password or a manual step is needed.
    pub needs_manual_step: bool,
    /// What to do by hand on a host Keyhaven could not edit (the line to add, the key to remove).
    pub manual_steps: Option<String>,
    pub updated_at: String,
}

/// Connections per state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RotationCounts {
    pub total: usize,
    pub pending: usize,
    pub in_progress: usize,
    pub cleaned: usize,
    pub failed: usize,
    pub skipped: usize,
    pub checked: usize,
    pub rolled_back: usize,
}

/// A rotation and its hosts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RotationView {
    pub id: i32,
    /// One of [`rotation_state`].
    pub state: String,
    pub dry_run: bool,
    pub old_key_id: i32,
    pub old_key_name: String,
    pub old_fingerprint: String,
    pub new_key_id: Option<i32>,
    pub new_fingerprint: Option<String>,
    pub started_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub counts: RotationCounts,
    pub hosts: Vec<RotationHostView>,
}

#[cfg(test)]
mod tests {
    use super::rotation_state as r;

    #[test]
    fn a_rotation_is_followed_while_it_goes_forward_or_back() {
        assert!(r::in_progress(r::RUNNING));
        assert!(r::in_progress(r::ROLLING_BACK));
        for settled in [r::ATTENTION, r::FINISHED, r::DRY_RUN, r::ROLLED_BACK] {
            assert!(!r::in_progress(settled), "{settled}");
        }
    }
}
