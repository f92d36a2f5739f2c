//! Alert delivery to a real webhook receiver on loopback: alerts raised by the health rules are
//! queued with them and sent by the dispatcher once per channel (also when they were raised
//! before it started, as after a restart), signed with HMAC-SHA256 over the body; a receiver
//! that answers 500 gets the retries, then a recorded failure (on the delivery, the channel and
//! in the audit log); a digest channel sends what gathered as one message; a test alert is sent
//! at once and answered with the outcome.

use crate::common::receiver::{Received, Receiver};
use crate::common::ssh_app::SshApp;
use axum::http::Method;
use chrono::Utc;
use keyhaven::server::entities::alert_delivery;
use keyhaven::server::services::alerts::{Dispatcher, signature, start};
use keyhaven::server::services::health::{Checked, observe};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

pub(crate) const SECRET: &str = "receiver-shared-secret";

pub(crate) async fn channel(s: &SshApp, name: &str, url: String, extra: Value) -> i64 {
    let mut body = json!({"name": name, "kind": "webhook", "url": url, "secret": SECRET});
    if let (Some(map), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        map.extend(more.clone());
    }
    let (status, body) = s.call(Method::POST, "/api/alerts/channels", Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body["channel"]["id"].as_i64().unwrap()
}

pub(crate) fn verified(r: &Received) -> Value {
    assert_eq!(r.header("x-keyhaven-signature-256"), signature(SECRET, &r.body), "the HMAC matches the body");
    assert_eq!(r.header("content-type"), "application/json");
    r.json()
}

/// Raises a `failing` alert for connection `id` (one failed check with a threshold of 1).
async fn failing(s: &SshApp, id: i64) {
    let checked = Checked {
        connection_id: id as i32,
        label: format!("backup@127.0.0.1:{id}"),
        healthy: false,
        reason: "refused".into(),
        message: Some("connection refused".into()),
        storage: None,
    };
    let raised = observe(&s.app.state.db, &checked, 1).await.unwrap();
    assert_eq!(raised.len(), 1);
}

pub(crate) fn dispatcher(s: &SshApp) -> Dispatcher {
    Dispatcher {
        db: s.app.state.db.clone(),
        master: s.app.state.master_key.clone(),
        retry_after: chrono::Duration::milliseconds(100),
        attempts: 3,
    }
}

async fn deliveries(s: &SshApp, channel: i64) -> Vec<Value> {
    let (status, body) = s.call(Method::GET, &format!("/api/alerts/channels/{channel}/deliveries"), None).await;
    assert_eq!(status, 200, "{body}");
    body["deliveries"].as_array().unwrap().clone()
}

async fn wait_final(s: &SshApp, channel: i64, n: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = deliveries(s, channel).await;
        if found.iter().filter(|d| d["status"] != "pending").count() >= n {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "waited for {n} final deliveries: {found:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn alerts_reach_a_webhook_signed_retried_and_recorded() {
    let receiver = Receiver::start().await;
    let s = SshApp::start(None).await;
    let ok = channel(&s, "receiver", format!("{}/hook", receiver.base), json!({})).await;
    let broken = channel(&s, "broken", format!("{}/fail", receiver.base), json!({})).await;
    let off = channel(&s, "off", format!("{}/off", receiver.base), json!({"enabled": false})).await;

    // A test alert goes out at once, signed, and says how it went.
    let (status, body) = s.call(Method::POST, &format!("/api/alerts/channels/{ok}/test"), None).await;
    assert_eq!((status, body["delivery"]["status"].as_str()), (200, Some("sent")), "{body}");
    assert_eq!(body["delivery"]["detail"], "HTTP 204");
    let test = receiver.wait_for("/hook", 1).await;
    assert_eq!(test[0].header("x-keyhaven-event"), "test");
    assert_eq!(verified(&test[0])["event"], "test");
    let (_, body) = s.call(Method::POST, &format!("/api/alerts/channels/{broken}/test"), None).await;
    assert_eq!((body["success"].as_bool(), body["delivery"]["detail"].as_str()), (Some(false), Some("HTTP 500")));

    // Raised before the dispatcher runs (as across a restart): queued, then sent.
    let connection = s.connection(1, "backup", false, None).await;
    failing(&s, connection).await;
    let running = start(dispatcher(&s)).unwrap();
    let got = receiver.wait_for("/hook", 2).await;
    let alert = verified(&got[1]);
    assert_eq!(got[1].header("x-keyhaven-event"), "alert");
    assert_eq!(alert["alerts"][0]["kind"], "failing");
    assert_eq!(alert["alerts"][0]["connection_id"], connection);
    assert!(alert["text"].as_str().unwrap().contains("connection refused"), "{alert}");
    assert_eq!(got[1].header("x-keyhaven-delivery"), alert["delivery_id"].to_string());

    // The failing receiver got every attempt, then the failure is on record.
    let done = wait_final(&s, broken, 2).await;
    let alert_row = done.iter().find(|d| !d["alert_id"].is_null()).unwrap();
    assert_eq!((alert_row["status"].as_str(), alert_row["attempts"].as_i64()), (Some("failed"), Some(3)));
    assert_eq!(receiver.at("/fail").len(), 1 + 3, "the test alert once, the alert three times");
    let (_, listed) = s.call(Method::GET, &format!("/api/alerts/channels/{broken}"), None).await;
    assert_eq!(
        (listed["channel"]["last_delivery_ok"].as_bool(), listed["channel"]["last_delivery_detail"].as_str()),
        (Some(false), Some("HTTP 500"))
    );
    assert!(receiver.at("/off").is_empty(), "a channel that is off gets nothing");
    assert!(deliveries(&s, off).await.is_empty());
    let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
    let actions: Vec<String> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
    for action in ["alert.test_sent", "alert.test_failed", "alert.delivered", "alert.delivery_failed"] {
        assert!(actions.iter().any(|a| a == action), "{action} audited: {actions:?}");
    }
    running.abort();
}

#[tokio::test]
async fn a_digest_channel_sends_what_gathered_as_one_message() {
    let receiver = Receiver::start().await;
    let s = SshApp::start(None).await;
    let digest = channel(&s, "digest", format!("{}/digest", receiver.base), json!({"digest_minutes": 15})).await;
    let running = start(dispatcher(&s)).unwrap();
    let first = s.connection(1, "backup", false, None).await;
    let second = s.connection(2, "backup", false, None).await;
    failing(&s, first).await;
    failing(&s, second).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(receiver.at("/digest").is_empty(), "a digest waits for its window");
    // The window is over (moved back rather than waited for).
    alert_delivery::Entity::update_many()
        .col_expr(alert_delivery::Column::NextAttemptAt, Expr::value(Utc::now() - chrono::Duration::seconds(1)))
        .filter(alert_delivery::Column::ChannelId.eq(digest as i32))
        .exec(&s.app.state.db)
        .await
        .unwrap();
    let got = receiver.wait_for("/digest", 1).await;
    let body = verified(&got[0]);
    let ids: Vec<i64> =
        body["alerts"].as_array().unwrap().iter().map(|a| a["connection_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [first, second], "both alerts in one message");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.at("/digest").len(), 1, "sent once");
    let rows = wait_final(&s, digest, 2).await;
    assert!(rows.iter().all(|d| d["status"] == "sent"), "{rows:?}");
    running.abort();
}
