//! The audit log as pages and the API show it.

use serde::{Deserialize, Serialize};

/// One audit log row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub result: String,
    pub detail: String,
}

/// A page of audit entries, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub page: u64,
    pub total_pages: u64,
}
