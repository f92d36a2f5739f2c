//! What the inventory shows: every line of a connection's `authorized_keys`, which key it lets in,
//! whose that key is, behind which options, and what changed since the read before.

use serde::{Deserialize, Serialize};

/// Whose key a line lets in.
pub mod class {
    /// A key this Keyhaven manages (its system key or a named key).
    pub const KEYHAVEN: &str = "keyhaven";
    /// Not ours, but commented `keyhaven-…` as Keyhaven comments the keys it generates: another
    /// Keyhaven's, or one of ours that was deleted here.
    pub const OTHER_KEYHAVEN: &str = "other_keyhaven";
    /// A person's public key known to Keyhaven (by fingerprint), with its owner.
    pub const PERSON: &str = "person";
    /// A repository's deploy key.
    pub const DEPLOY_KEY: &str = "deploy_key";
    /// Not imported, but an operator noted whose it is (the note is the holder).
    pub const NOTED: &str = "noted";
    pub const UNKNOWN: &str = "unknown";
}

/// One line of the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryLine {
    /// 1-based.
    pub number: usize,
    /// The line as it is in the file (public material only).
    pub text: String,
    /// `key`, `comment`, `blank` or `invalid` (sshd skips it).
    pub kind: String,
    /// For a key: one of [`class`].
    pub class: Option<String>,
    /// Who holds the key: the key's name, `user (title)` or `owner/repo (title)`.
    pub holder: Option<String>,
    pub key_type: Option<String>,
    pub fingerprint: Option<String>,
    pub comment: Option<String>,
    /// As written: `restrict`, `command="borg serve …"`, `from="10.0.0.0/8"`, `expiry-time="…"`.
    pub options: Vec<String>,
    /// The first line that lets the same key in, when this one repeats it.
    pub duplicate_of: Option<usize>,
    /// Why sshd skips an invalid line.
    pub note: Option<String>,
}

/// How many lines of each kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryCounts {
    pub keys: usize,
    pub keyhaven: usize,
    pub other_keyhaven: usize,
    pub person: usize,
    pub deploy_key: usize,
    pub noted: usize,
    pub unknown: usize,
    pub duplicates: usize,
    pub invalid: usize,
}

/// Key lines added or removed since the read before (compared as options + key, so a changed
/// comment alone is no drift).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryDrift {
    /// RFC 3339 of the read compared with.
    pub since: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// One read of a connection's `authorized_keys`, classified against what Keyhaven knows now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryView {
    pub connection_id: i32,
    /// `user@host:port`.
    pub connection: String,
    /// RFC 3339.
    pub read_at: String,
    /// False when the account has no `authorized_keys`.
    pub file_exists: bool,
    /// Why the file could not be read (then there are no lines).
    pub error: Option<String>,
    pub lines: Vec<InventoryLine>,
    pub counts: InventoryCounts,
    /// None for the first read, or when either read failed.
    pub drift: Option<InventoryDrift>,
}

/// What a class is called on the page.
pub fn class_label(class: &str) -> &'static str {
    match class {
        class::KEYHAVEN => "this Keyhaven",
        class::OTHER_KEYHAVEN => "another Keyhaven",
        class::PERSON => "a person's key",
        class::DEPLOY_KEY => "a deploy key",
        class::NOTED => "noted",
        _ => "unknown",
    }
}

/// One connection in the fleet view: the lines of its newest read that answer the question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetEntry {
    pub connection_id: i32,
    /// `user@host:port`.
    pub connection: String,
    /// RFC 3339 of the read the answer comes from.
    pub read_at: String,
    /// Why the newest read failed.
    pub error: Option<String>,
    pub lines: Vec<InventoryLine>,
}

/// The classes a fleet query may ask for.
pub const CLASSES: [&str; 6] =
    [class::KEYHAVEN, class::OTHER_KEYHAVEN, class::PERSON, class::DEPLOY_KEY, class::NOTED, class::UNKNOWN];

/// The states of a read of every connection.
pub mod inventory_run_state {
    pub const RUNNING: &str = "running";
    pub const FINISHED: &str = "finished";
}

/// A read of every connection's authorized_keys ("Read every connection"), with its progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryRunView {
    pub id: i32,
    /// One of [`inventory_run_state`].
    pub state: String,
    pub started_by: String,
    /// RFC 3339.
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Connections it covers (those that existed when it started and still exist).
    pub total: usize,
    /// Of those, read since it started (a failed read counts, with its reason on the connection).
    pub done: usize,
    /// Of those read, the ones whose read failed.
    pub failed: usize,
}

/// An operator's note on a key found in authorized_keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryNote {
    /// `SHA256:…`.
    pub fingerprint: String,
    pub note: String,
    pub noted_by: String,
    /// RFC 3339.
    pub noted_at: String,
}
