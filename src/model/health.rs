//! What the health domain shows: the state of every connection at a glance, and what needs the
//! operator's attention first.

use serde::{Deserialize, Serialize};

/// A connection that needs attention, with the reason its newest check gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttentionItem {
    pub connection_id: i32,
    /// `user@host:port`.
    pub connection: String,
    /// The classified reason (`host_key_changed`, `disk_full`, `auth_rejected`, …), or
    /// `nearly_full` for a healthy connection whose storage is at least 90 % used.
    pub reason: String,
    pub message: Option<String>,
    /// RFC 3339.
    pub checked_at: String,
    /// Storage used, in percent, when the check measured it.
    pub storage_percent: Option<u8>,
}

/// An alert raised by a scheduled check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: i32,
    pub connection_id: i32,
    /// `failing`, `recovered`, `host_key_changed`, `storage_75`, `storage_90` or `full_soon`.
    pub kind: String,
    pub message: String,
    /// RFC 3339.
    pub created_at: String,
}

/// What an alert kind means, in a few words.
pub fn alert_label(kind: &str) -> &'static str {
    match kind {
        "failing" => "failing",
        "recovered" => "recovered",
        "host_key_changed" => "host key changed",
        "storage_75" => "storage over 75 %",
        "storage_90" => "storage over 90 %",
        "full_soon" => "full soon",
        "authorized_keys_changed" => "authorized_keys changed",
        "rotation_due" => "key due for rotation",
        _ => "alert",
    }
}

/// Every connection by the newest check, with the failing reasons counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthSummary {
    pub total: u64,
    pub healthy: u64,
    pub failing: u64,
    /// Never checked yet.
    pub unchecked: u64,
    /// Connections whose scheduled checks are turned off.
    pub checks_off: u64,
    /// Healthy, but storage at least 90 % used.
    pub nearly_full: u64,
    /// The global interval of scheduled checks, in seconds; 0 when they are off.
    pub interval_secs: u64,
    /// Failing connections per reason, the most frequent first.
    pub reasons: Vec<(String, u64)>,
    /// The most urgent first: changed host keys, full disks, refused keys, other failures, then
    /// nearly full storage; at most 50.
    pub attention: Vec<AttentionItem>,
    /// The newest alerts, newest first (at most 20).
    pub recent_alerts: Vec<AlertView>,
}

/// One check as the timeline shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    /// RFC 3339.
    pub checked_at: String,
    /// Seconds since 1970, for the charts.
    pub epoch: i64,
    /// `manual` or `scheduled`.
    pub trigger: String,
    pub healthy: bool,
    pub reason: String,
    pub stage: Option<String>,
    pub message: Option<String>,
    pub duration_ms: i64,
    pub storage_used: Option<u64>,
    pub storage_total: Option<u64>,
}

/// When a connection is checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    /// Its own interval: `None` follows the global one, 0 is off.
    pub own_interval_secs: Option<i64>,
    pub effective_secs: i64,
    pub enabled: bool,
    pub next_check_at: Option<String>,
    pub last_checked_at: Option<String>,
}

/// One connection's health: its newest checks (newest first), schedule and storage forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionTimeline {
    pub connection: crate::model::ConnectionView,
    pub checks: Vec<CheckView>,
    /// All checks kept, of which `checks` are the newest.
    pub checks_total: u64,
    pub schedule: ScheduleView,
    /// Whole days until the storage is full at the pace of the last two weeks.
    pub full_in_days: Option<u32>,
}

/// How soon an operator should look at `reason`: lower is sooner.
pub fn urgency(reason: &str) -> u8 {
    match reason {
        "host_key_changed" => 0,
        "disk_full" => 1,
        "auth_rejected" | "key_missing" => 2,
        "nearly_full" => 4,
        _ => 3,
    }
}

/// What a reason means, in a few words an operator reads at a glance.
pub fn reason_label(reason: &str) -> &'static str {
    match reason {
        "ok" => "healthy",
        "restricted_ok" => "healthy (restricted key)",
        "host_key_changed" => "host key changed",
        "host_key_unknown" => "host key not trusted",
        "disk_full" => "storage full",
        "nearly_full" => "storage nearly full",
        "auth_rejected" => "key refused",
        "key_missing" => "no key",
        "dns" => "name not found",
        "refused" => "connection refused",
        "timeout" => "no answer",
        "sftp_unavailable" => "SFTP unavailable",
        "unreachable" => "host unreachable",
        "protocol" => "SSH protocol error",
        "restricted_shell" => "no shell allowed",
        "permission_denied" => "permission denied",
        "key_restricted" => "key restricted",
        "key_invalid" => "key unusable",
        _ => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_host_key_comes_before_everything_else() {
        let mut reasons = ["timeout", "nearly_full", "auth_rejected", "disk_full", "host_key_changed"];
        reasons.sort_by_key(|r| urgency(r));
        assert_eq!(reasons, ["host_key_changed", "disk_full", "auth_rejected", "timeout", "nearly_full"]);
        assert_eq!(reason_label("host_key_changed"), "host key changed");
        assert_eq!(reason_label("something new"), "failed");
    }
}
