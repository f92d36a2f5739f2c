//! Alert channels over REST: secrets (the webhook's URL path and signing secret, the SMTP
//! password) are accepted, sealed and never returned or stored in clear; bad input is a 4xx
//! naming the field and changes nothing; an update keeps what it leaves out; viewers are refused.

use crate::common::http::Auth;
use crate::common::ssh_app::SshApp;
use axum::http::Method;
use keyhaven::server::entities::alert_channel;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const HOOK_PATH: &str = "/services/T000/B000/capability-path-xyz";
const SECRET: &str = "whsec-very-secret-value";
const PASSWORD: &str = "smtp-password-value";

async fn edit(s: &SshApp, fields: Vec<(&'static str, String)>) -> crate::common::http::TestResponse {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.app.server_fn("update_alert_channel", &s.browser, &pairs).await
}

async fn create(s: &SshApp, body: Value) -> (u16, Value) {
    s.call(Method::POST, "/api/alerts/channels", Some(body)).await
}

#[tokio::test]
async fn channels_keep_their_secrets_sealed_and_name_the_field_of_bad_input() {
    let s = SshApp::start(None).await;
    let (status, body) = create(
        &s,
        json!({"name": "ops hook", "kind": "webhook", "url": format!("https://hooks.example.com{HOOK_PATH}"),
            "secret": SECRET}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let hook = body["channel"].clone();
    assert_eq!(hook["target"], "https://hooks.example.com/…");
    assert_eq!(
        (hook["signed"].as_bool(), hook["enabled"].as_bool(), hook["digest_minutes"].as_i64()),
        (Some(true), Some(true), Some(0))
    );
    let (status, body) = create(
        &s,
        json!({"name": "ops mail", "kind": "email", "smtp_host": "smtp.example.com", "username": "alerts",
            "password": PASSWORD, "from": "keyhaven@example.com", "to": ["ops@example.com", "Oncall <oncall@example.com>"],
            "digest_minutes": 60}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let mail = &body["channel"];
    assert_eq!(mail["email"]["smtp_port"], 587, "STARTTLS's port by default");
    assert_eq!(mail["email"]["tls"], "starttls");
    assert_eq!(mail["email"]["has_password"], true);

    let (status, listed) = s.call(Method::GET, "/api/alerts/channels", None).await;
    assert_eq!(status, 200);
    let text = listed.to_string();
    for secret in [HOOK_PATH, SECRET, PASSWORD] {
        assert!(!text.contains(secret), "{secret} in the answer: {text}");
    }
    assert_eq!(listed["channels"].as_array().unwrap().len(), 2);
    for row in alert_channel::Entity::find().all(&s.app.state.db).await.unwrap() {
        let stored = format!("{} {:?}", row.config, row.sealed);
        for secret in [HOOK_PATH, SECRET, PASSWORD, "capability"] {
            assert!(!stored.contains(secret), "{secret} stored in clear: {stored}");
        }
    }

    let bad = [
        (json!({"name": "x", "kind": "pager"}), 422, "kind"),
        (json!({"name": "x", "kind": "webhook", "url": "ftp://example.com/"}), 422, "url"),
        (json!({"name": "x", "kind": "webhook"}), 422, "url"),
        (json!({"name": "", "kind": "webhook", "url": "https://a.example/"}), 422, "name"),
        (
            json!({"name": "x", "kind": "webhook", "url": "https://a.example/", "digest_minutes": 5000}),
            422,
            "digest_minutes",
        ),
        (json!({"name": "x", "kind": "email", "smtp_host": "smtp.example.com", "from": "a@example.com"}), 422, "to"),
        (
            json!({"name": "x", "kind": "email", "smtp_host": "smtp.example.com", "from": "a@example.com", "to": ["not an address"]}),
            422,
            "to",
        ),
        (
            json!({"name": "x", "kind": "email", "smtp_host": "smtp.example.com", "from": "a@example.com", "to": ["b@example.com"], "smtp_port": 70000}),
            422,
            "smtp_port",
        ),
        (
            json!({"name": "x", "kind": "email", "smtp_host": "smtp.example.com", "from": "a@example.com", "to": ["b@example.com"], "tls": "none", "username": "u", "password": "p"}),
            422,
            "tls",
        ),
        (
            json!({"name": "x", "kind": "email", "smtp_host": "smtp.example.com", "from": "a@example.com", "to": ["b@example.com"], "password": "p"}),
            422,
            "username",
        ),
        (json!({"name": "ops hook", "kind": "webhook", "url": "https://a.example/"}), 409, "name"),
        (json!({"name": "x", "kind": "webhook", "url": 5}), 422, "url"),
    ];
    for (body, status, field) in bad {
        let (got, answer) = create(&s, body.clone()).await;
        assert_eq!((got, answer["field"].as_str()), (status, Some(field)), "{body} → {answer}");
    }
    let (_, listed) = s.call(Method::GET, "/api/alerts/channels", None).await;
    assert_eq!(listed["channels"].as_array().unwrap().len(), 2, "nothing stored by bad input");

    // An update keeps what it leaves out (the secret, the URL), and a bad one changes nothing.
    let id = hook["id"].as_i64().unwrap();
    let (status, body) = s
        .call(Method::PATCH, &format!("/api/alerts/channels/{id}"), Some(json!({"name": "chat", "enabled": false})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["channel"]["name"].as_str(), body["channel"]["signed"].as_bool()), (Some("chat"), Some(true)));
    assert_eq!(body["channel"]["target"], "https://hooks.example.com/…");
    let (status, body) =
        s.call(Method::PATCH, &format!("/api/alerts/channels/{id}"), Some(json!({"kind": "email"}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("kind")));
    let (status, body) =
        s.call(Method::PATCH, &format!("/api/alerts/channels/{id}"), Some(json!({"secret": ""}))).await;
    assert_eq!((status, body["channel"]["signed"].as_bool()), (200, Some(false)), "an empty secret clears it");
    let (status, _) = s.call(Method::GET, "/api/alerts/channels/9999", None).await;
    assert_eq!(status, 404);

    // The page's Edit form: blank secrets keep theirs, a blank username clears it (and then a
    // password without one is refused, naming `username`).
    let mail_id = mail["id"].as_i64().unwrap().to_string();
    let form = |user: &'static str| {
        vec![
            ("id", mail_id.clone()),
            ("kind", "email".into()),
            ("name", "ops mail".into()),
            ("smtp_host", "smtp.example.com".into()),
            ("smtp_port", "2525".into()),
            ("tls", "starttls".into()),
            ("username", user.into()),
            ("password", String::new()),
            ("from", "keyhaven@example.com".into()),
            ("to", "ops@example.com, noc@example.com".into()),
            ("digest_minutes", "15".into()),
        ]
    };
    let res = edit(&s, form("alerts")).await;
    assert!(res.status.is_success() || res.status.is_redirection(), "{} {}", res.status, res.text());
    let (_, body) = s.call(Method::GET, &format!("/api/alerts/channels/{mail_id}"), None).await;
    let email = &body["channel"]["email"];
    assert_eq!((email["smtp_port"].as_i64(), email["has_password"].as_bool()), (Some(2525), Some(true)), "{body}");
    assert_eq!(email["to"], json!(["ops@example.com", "noc@example.com"]));
    assert_eq!(body["channel"]["digest_minutes"], 15);
    let res = edit(&s, form("")).await;
    assert_eq!(res.status.as_u16(), 422, "{}", res.text());
    assert!(res.text().contains("username"), "{}", res.text());

    // Channels are settings: a viewer can neither read nor change them.
    let viewer = s.app.create_user(&s.admin, "vic", "long enough password", "viewer").await;
    assert!(viewer > 0);
    let vic = Auth::Bearer(s.app.api_login("vic", "long enough password").await);
    let res = s.app.json(Method::GET, "/api/alerts/channels", &vic, None).await;
    assert_eq!(res.status.as_u16(), 403, "{}", res.text());

    let (status, _) = s.call(Method::DELETE, &format!("/api/alerts/channels/{id}"), None).await;
    assert_eq!(status, 200);
    let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
    let actions: Vec<&str> =
        audit["entries"].as_array().map_or(Vec::new(), |e| e.iter().filter_map(|e| e["action"].as_str()).collect());
    for action in ["alert_channel.created", "alert_channel.updated", "alert_channel.deleted"] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    assert!(!audit.to_string().contains(SECRET) && !audit.to_string().contains(HOOK_PATH));
}
