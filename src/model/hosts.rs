//! Shapes for trusted host keys, shared by the known-hosts pages and the API.

use serde::{Deserialize, Serialize};

/// A host key a server offers now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostKeyView {
    pub key_type: String,
    /// `type base64`.
    pub public_key: String,
    pub fingerprint: String,
}

/// A host key someone confirmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownHostView {
    pub id: i32,
    pub host: String,
    pub port: u16,
    pub key_type: String,
    pub public_key: String,
    pub fingerprint: String,
    pub trusted_by: String,
    pub created_at: String,
}

/// One page of trusted host keys: a thousand of them must not make one huge page.
pub type KnownHostPage = super::Page<KnownHostView>;

/// What a scan found: `new` (nothing trusted yet), `trusted` (an offered key is trusted) or
/// `changed` (keys are trusted but the host offers none of them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanResult {
    pub status: String,
    pub keys: Vec<HostKeyView>,
    pub trusted: Vec<KnownHostView>,
}

/// A scan as the Known hosts page shows it: each offered key's randomart beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanView {
    pub host: String,
    pub port: u16,
    pub result: ScanResult,
    /// One picture per entry of `result.keys`.
    pub randomart: Vec<String>,
}

/// What Keyhaven does with a host whose key it has never seen (the `host_key_policy` setting).
/// Either way a key that differs from a trusted one is refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyPolicy {
    /// A person checks the fingerprint and trusts the key first; until then nothing connects.
    #[default]
    Confirm,
    /// OpenSSH's `StrictHostKeyChecking accept-new`: the keys a new host offers at first contact
    /// are trusted (and audited with their fingerprints), for clients that have no step to confirm
    /// one, such as Borg UI's.
    AcceptNew,
}

impl HostKeyPolicy {
    /// Reads `confirm` or `accept-new`.
    pub fn parse(raw: &str) -> Option<HostKeyPolicy> {
        match raw.trim() {
            "confirm" => Some(HostKeyPolicy::Confirm),
            "accept-new" => Some(HostKeyPolicy::AcceptNew),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HostKeyPolicy::Confirm => "confirm",
            HostKeyPolicy::AcceptNew => "accept-new",
        }
    }
}
