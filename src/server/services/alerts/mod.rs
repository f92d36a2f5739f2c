//! Alerts: where the health domain's alerts go. Channels (a webhook signed with HMAC-SHA256, or
//! email over SMTP) with their secrets sealed by the master key, and the delivery queue that
//! sends each alert once per channel, retries with backoff, gathers a digest when asked, and
//! records every outcome on the delivery, the channel and the audit log. Writes
//! `alert_channel` and `alert_delivery`.

mod channels;
mod email;
mod form;
mod queue;
mod send;
mod webhook;

pub use channels::{create, delete, get, list, reseal, update, view};
pub use form::{ChannelInput, EMAIL, MAX_DIGEST_MINUTES, WEBHOOK};
pub use queue::{Dispatcher, announce, deliveries, delivery_counts, delivery_view, enqueue, send_test, start};
pub use webhook::signature;
