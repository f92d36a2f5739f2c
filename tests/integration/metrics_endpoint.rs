//! `GET /metrics` in the Prometheus text format: refused without credentials and to a token
//! without `read:metrics`; with it, each checked connection's up/down, check age and duration and
//! storage, alerts by kind, deliveries by channel and status, SSH slots, and request latency by
//! route template (never by raw path).

use crate::common::http::Auth;
use crate::common::ssh_app::SshApp;
use axum::http::Method;
use keyhaven::server::services::health::{Checked, observe};
use serde_json::json;

/// The value of the sample `name{labels}` (labels as printed, sorted by name), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_need_their_scope_and_show_connections_alerts_deliveries_and_latency() {
    let s = SshApp::start(None).await;
    // A failing connection (nothing listens on port 1), tested once, and one alert raised.
    let id = s.connection(1, "backup", false, None).await;
    let (status, _) = s.action(id, "test", None).await;
    assert_eq!(status, 200);
    let checked = Checked {
        connection_id: id as i32,
        label: "backup@127.0.0.1:1".into(),
        healthy: false,
        reason: "refused".into(),
        message: None,
        storage: None,
    };
    observe(&s.app.state.db, &checked, 1).await.unwrap();

    let res = s.app.json(Method::GET, "/metrics", &Auth::Anonymous, None).await;
    assert_eq!(res.status.as_u16(), 401, "{}", res.text());
    let (status, body) =
        s.call(Method::POST, "/api/tokens", Some(json!({"name": "admin only", "scopes": ["admin"]}))).await;
    assert_eq!(status, 201, "{body}");
    let admin_only = Auth::Bearer(body["api_token"]["token"].as_str().unwrap().to_string());
    assert_eq!(s.app.json(Method::GET, "/metrics", &admin_only, None).await.status.as_u16(), 403);
    let (status, body) =
        s.call(Method::POST, "/api/tokens", Some(json!({"name": "prometheus", "scopes": ["read:metrics"]}))).await;
    assert_eq!(status, 201, "{body}");
    let scraper = Auth::Bearer(body["api_token"]["token"].as_str().unwrap().to_string());
    // The metrics token reaches nothing else.
    assert_eq!(s.app.json(Method::GET, "/api/ssh-keys/connections", &scraper, None).await.status.as_u16(), 403);

    let res = s.app.json(Method::GET, "/metrics", &scraper, None).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    assert!(res.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = res.text();
    let who = format!("connection=\"backup@127.0.0.1:1\",id=\"{id}\"");
    assert_eq!(sample(&text, &format!("keyhaven_connection_up{{{who}}}")), Some(0.0), "{text}");
    let age = sample(&text, &format!("keyhaven_connection_last_check_age_seconds{{{who}}}")).unwrap();
    assert!((0.0..60.0).contains(&age), "{age}");
    assert!(sample(&text, &format!("keyhaven_connection_check_duration_seconds{{{who}}}")).is_some());
    assert_eq!(sample(&text, "keyhaven_connections"), Some(1.0));
    assert_eq!(sample(&text, "keyhaven_alerts_total{kind=\"failing\"}"), Some(1.0));
    assert_eq!(sample(&text, "keyhaven_ssh_connections{kind=\"max\"}"), Some(32.0));
    assert_eq!(sample(&text, "keyhaven_ssh_connections{kind=\"open\"}"), Some(0.0));
    assert!(text.contains("# TYPE keyhaven_http_request_duration_seconds histogram"), "{text}");
    let test_route = "keyhaven_http_request_duration_seconds_count{method=\"POST\",route=\"/api/ssh-keys/connections/{id}/test\",status=\"2xx\"}";
    assert_eq!(sample(&text, test_route), Some(1.0), "timed by template: {text}");
    assert!(!text.contains(&format!("/api/ssh-keys/connections/{id}/test")), "never by raw path");

    // Deliveries by channel and status.
    let (status, body) = s
        .call(
            Method::POST,
            "/api/alerts/channels",
            Some(json!({"name": "nowhere", "kind": "webhook", "url": "http://127.0.0.1:1/hook"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let channel = body["channel"]["id"].as_i64().unwrap();
    let (_, body) = s.call(Method::POST, &format!("/api/alerts/channels/{channel}/test"), None).await;
    assert_eq!(body["delivery"]["status"], "failed");
    let text = s.app.json(Method::GET, "/metrics", &scraper, None).await.text();
    assert_eq!(
        sample(&text, "keyhaven_alert_deliveries_total{channel=\"nowhere\",status=\"failed\"}"),
        Some(1.0),
        "{text}"
    );
}
