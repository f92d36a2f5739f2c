//! What the alerts domain shows: the channels alerts go to (never their secrets — only whether
//! one is set) and what was delivered to each.

use serde::{Deserialize, Serialize};

/// A channel as pages and the API show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelView {
    pub id: i32,
    pub name: String,
    /// `webhook` or `email`.
    pub kind: String,
    pub enabled: bool,
    /// Where it goes, without secrets: a webhook's scheme, host and port (its path may be a
    /// capability, as Slack's are), or the email recipients.
    pub target: String,
    /// Whether webhook bodies are signed (`X-Keyhaven-Signature-256`).
    pub signed: bool,
    pub email: Option<EmailSettings>,
    /// 0: each alert at once; else alerts gathered over this many minutes into one message.
    pub digest_minutes: i32,
    /// RFC 3339.
    pub last_delivery_at: Option<String>,
    pub last_delivery_ok: Option<bool>,
    pub last_delivery_detail: Option<String>,
}

/// An email channel's SMTP settings; the password is never shown, only whether one is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls`, `tls` (implicit, usually port 465) or `none` (a relay on this machine only).
    pub tls: String,
    pub username: Option<String>,
    pub has_password: bool,
    pub from: String,
    pub to: Vec<String>,
}

/// One alert sent (or being sent) to a channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i32,
    pub channel_id: i32,
    /// The alert, or `None` for a test alert or a notice.
    pub alert_id: Option<i32>,
    /// A notice of no connection (`rotation_due`) and its message; `None` otherwise.
    pub kind: Option<String>,
    pub message: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// RFC 3339.
    pub created_at: String,
    pub finished_at: Option<String>,
    pub detail: Option<String>,
}

/// A channel with its newest deliveries, for Settings → Alerts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelWithDeliveries {
    pub channel: ChannelView,
    /// Newest first.
    pub recent: Vec<DeliveryView>,
    /// All deliveries to the channel.
    pub total: u64,
}

/// The TLS modes of an email channel, with what each means, for the form.
pub const SMTP_TLS_MODES: [(&str, &str); 3] = [
    ("starttls", "STARTTLS (port 587)"),
    ("tls", "TLS from the start (port 465)"),
    ("none", "None — a relay on this machine only"),
];
