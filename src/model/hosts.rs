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
