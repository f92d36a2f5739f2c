//! One message to one channel: a webhook POST or an email, built from the alerts it carries.
//! The answer is a short, safe detail (`HTTP 204`, `250 2.0.0 Ok`) or why it failed — never the
//! webhook's URL or a secret.

use super::channels::{config, open};
use super::form::EMAIL;
use super::{email, webhook};
use crate::model::alert_label;
use crate::server::entities::{alert_channel, alert_delivery, alert_event};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::rfc3339;
use serde_json::{Value, json};

/// What a message says, for either kind of channel.
pub struct Outgoing {
    /// The delivery it belongs to (the first one of a digest); webhooks send it as
    /// `X-Keyhaven-Delivery` so a receiver can drop a repeat.
    pub delivery_id: i32,
    pub test: bool,
    pub subject: String,
    pub text: String,
    pub alerts: Vec<Value>,
}

impl Outgoing {
    /// The message for `events` and `notices` (notices of no connection, such as a key due for
    /// rotation): one, or a digest of several.
    pub fn of_events(delivery_id: i32, events: &[alert_event::Model], notices: &[&alert_delivery::Model]) -> Outgoing {
        // (kind, message, created at, the alert's JSON), events then notices.
        let mut items: Vec<(String, String, String, Value)> = events
            .iter()
            .map(|e| {
                let at = rfc3339(&e.created_at);
                let json = json!({"id": e.id, "kind": e.kind, "connection_id": e.connection_id, "reason": e.reason,
                    "message": e.message, "created_at": at});
                (e.kind.clone(), e.message.clone(), at, json)
            })
            .collect();
        for notice in notices {
            let (kind, message) = (notice.kind.clone().unwrap_or_default(), notice.message.clone().unwrap_or_default());
            let at = rfc3339(&notice.created_at);
            let json = json!({"id": null, "kind": kind, "connection_id": null, "reason": kind,
                "message": message, "created_at": at});
            items.push((kind, message, at, json));
        }
        let subject = match items.as_slice() {
            [(kind, message, _, _)] => format!("[Keyhaven] {}: {message}", alert_label(kind)),
            many => format!("[Keyhaven] {} alerts", many.len()),
        };
        let text = items
            .iter()
            .map(|(kind, message, at, _)| format!("{at}  {}  {message}", alert_label(kind)))
            .collect::<Vec<_>>()
            .join("\n");
        let alerts = items.into_iter().map(|(_, _, _, json)| json).collect();
        Outgoing { delivery_id, test: false, subject: subject.chars().take(200).collect(), text, alerts }
    }

    /// A test message for channel `name`.
    pub fn test(delivery_id: i32, name: &str) -> Outgoing {
        Outgoing {
            delivery_id,
            test: true,
            subject: format!("[Keyhaven] Test alert to '{name}'"),
            text: format!(
                "This is a test alert sent to the channel '{name}'. Alerts to this channel arrive like this."
            ),
            alerts: Vec::new(),
        }
    }

    /// The webhook body: `text` for chat services that show it as is, the alerts for scripts.
    pub fn body(&self) -> Value {
        json!({"event": if self.test { "test" } else { "alert" }, "delivery_id": self.delivery_id,
            "text": self.text, "alerts": self.alerts, "sent_at": rfc3339(&chrono::Utc::now())})
    }
}

/// Sends `message` on `channel` once; the retries are the queue's.
pub async fn send(
    http: &reqwest::Client,
    master: &MasterKey,
    channel: &alert_channel::Model,
    message: &Outgoing,
) -> Result<String, String> {
    let secrets = open(master, channel).map_err(|e: ServiceError| {
        tracing::error!(channel = channel.id, error = %e, "cannot open an alert channel's secrets");
        "its secrets cannot be opened with this master key".to_string()
    })?;
    if channel.kind == EMAIL {
        email::send(&config(channel), secrets.password.as_deref(), message).await
    } else {
        let url = secrets.url.as_deref().ok_or_else(|| "the channel has no URL".to_string())?;
        webhook::post(http, url, secrets.secret.as_deref(), message).await
    }
}
