//! Data shapes shared by server functions, REST handlers and components.
//!
//! Everything here is serialisable and compiled into the browser bundle too, so nothing here may ever
//! hold a secret that the user has not just been handed (a new API token is shown exactly once).
//! One file per domain, named as the domain is named in every other layer; this door re-exports
//! them so `crate::model::X` is the one path to a shape.

mod accounts;
mod alerts;
mod audit;
mod connections;
mod health;
mod hosts;
mod inventory;
mod keys;
mod public_keys;
mod rotation;
mod setup;

pub use accounts::{CreatedToken, Me, Role, Scope, TokenView, UserView, scopes_grant};
pub use alerts::{ChannelView, ChannelWithDeliveries, DeliveryView, EmailSettings, SMTP_TLS_MODES};
pub use audit::{AuditEntryView, AuditPage};
pub use connections::{
    ActionOutcome, ConnectionHealth, ConnectionPage, ConnectionView, HourState, ProgressView, RemoteEntry,
    RemoteListing, STRIP_HOURS, StageView, StorageView, browse_href, decode_hours, encode_hours, format_bytes,
    path_steps, percent_text, percent_used,
};
pub use health::{
    AlertView, AttentionItem, CheckView, ConnectionTimeline, HealthSummary, ScheduleView, alert_label, reason_label,
    urgency,
};
pub use hosts::{HostKeyPolicy, HostKeyView, KnownHostPage, KnownHostView, ScanResult, ScanView};
pub use inventory::{
    CLASSES, FleetEntry, InventoryCounts, InventoryDrift, InventoryLine, InventoryNote, InventoryRunView,
    InventoryView, class, class_label, inventory_run_state,
};
pub use keys::{KeyUser, SshKeyDetail, SshKeyView};
pub use public_keys::{PublicKeyView, RepositoryDetail, RepositoryView};
pub use rotation::{RotationCounts, RotationHostView, RotationView, host_state, rotation_state};
pub use setup::SetupStatus;

use serde::{Deserialize, Serialize};

/// One page of a long list (connections, trusted host keys), with where it stands in the whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    /// 1-based.
    pub page: u64,
    pub pages: u64,
}
