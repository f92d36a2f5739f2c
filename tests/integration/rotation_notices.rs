//! A key due for rotation is announced on the alert channels, to a real webhook receiver that
//! checks the HMAC: once per due date however often the hourly look runs, again for a new due date
//! (a new period), never for a key that is not due within 14 days, and recorded per delivery.

use crate::alert_delivery::{channel, dispatcher, verified};
use crate::common::receiver::Receiver;
use crate::common::ssh_app::SshApp;
use axum::http::Method;
use keyhaven::server::entities::ssh_key;
use keyhaven::server::services::alerts::start;
use keyhaven::server::services::keys::announce_due;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

#[tokio::test]
async fn a_key_due_within_14_days_is_announced_once_per_due_date() {
    crate::common::on_every_engine(|db| async move {
        let receiver = Receiver::start().await;
        let s = SshApp::start_on(db, None).await;
        let hook = channel(&s, "ops", format!("{}/hook", receiver.base), json!({})).await;
        let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
        let id = keys["ssh_keys"][0]["id"].as_i64().unwrap();
        let period = format!("/api/ssh-keys/{id}/rotation-period");
        let db = &s.app.state.db;
        assert_eq!(announce_due(db).await.unwrap(), 0, "no period, nothing to announce");

        let (status, body) = s.call(Method::PUT, &period, Some(json!({"rotation_period_days": 90}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(announce_due(db).await.unwrap(), 0, "due in 90 days: not yet");
        // Made 85 days ago (and an hour): due in 5 days.
        let mut key: ssh_key::ActiveModel =
            ssh_key::Entity::find_by_id(id as i32).one(db).await.unwrap().unwrap().into();
        key.created_at = Set(chrono::Utc::now() - chrono::Duration::days(85) + chrono::Duration::hours(1));
        key.update(db).await.unwrap();
        assert_eq!(announce_due(db).await.unwrap(), 1);
        assert_eq!(announce_due(db).await.unwrap(), 0, "once per due date, however often it looks");

        let running = start(dispatcher(&s)).unwrap();
        let got = receiver.wait_for("/hook", 1).await;
        let body = verified(&got[0]);
        assert_eq!(body["alerts"][0]["kind"], "rotation_due", "{body}");
        assert!(body["alerts"][0]["connection_id"].is_null(), "{body}");
        let message = body["alerts"][0]["message"].as_str().unwrap();
        assert!(message.contains("System SSH Key") && message.contains("in 5 days"), "{message}");
        assert!(message.contains("rotate it from Settings"), "{message}");
        assert!(body["text"].as_str().unwrap().contains("key due for rotation"), "{body}");

        // A shorter period is a new due date (overdue now): announced again, saying so.
        let (status, _) =
            s.call(Method::PUT, &period, Some(json!({"rotation_period_days": 30, "auto_rotate": true}))).await;
        assert_eq!(status, 200);
        assert_eq!(announce_due(db).await.unwrap(), 1);
        let got = receiver.wait_for("/hook", 2).await;
        let message = verified(&got[1])["alerts"][0]["message"].as_str().unwrap().to_string();
        assert!(message.contains("overdue for rotation since") && message.contains("rotates by itself"), "{message}");
        running.abort();

        let (_, deliveries) = s.call(Method::GET, &format!("/api/alerts/channels/{hook}/deliveries"), None).await;
        let rows = deliveries["deliveries"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{deliveries}");
        assert!(rows.iter().all(|d| d["kind"] == "rotation_due" && d["alert_id"].is_null()), "{deliveries}");
        let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
        assert!(audit.to_string().contains("alert.delivered"), "{audit}");
    })
    .await;
}
