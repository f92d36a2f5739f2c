//! The connection actions' authorization matrix (anonymous, viewer, admin token without the
//! `admin` scope, admin) and their bad input: each a 4xx naming the field, nothing stored, no host
//! contacted (the hosts named here do not exist).

use crate::common::http::Auth;
use crate::common::ssh_app::{ADMIN_PW, SshApp};
use axum::http::Method;
use serde_json::{Value, json};

async fn callers(s: &SshApp) -> (Auth, Auth) {
    s.app.create_user(&s.admin, "vic", ADMIN_PW, "viewer").await;
    let viewer = Auth::Bearer(s.app.api_login("vic", ADMIN_PW).await);
    let res = s.app.json(Method::POST, "/api/tokens", &s.admin, Some(json!({"name": "ro", "scopes": ["repo"]}))).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let scoped = Auth::Bearer(res.json()["api_token"]["token"].as_str().unwrap().to_string());
    (viewer, scoped)
}

#[tokio::test]
async fn only_admins_with_the_admin_scope_run_connection_actions() {
    let s = SshApp::start(None).await;
    let (viewer, scoped) = callers(&s).await;
    let id = s.connection(2222, "backup", true, None).await;
    let routes: Vec<(String, Value)> = vec![
        (format!("/api/ssh-keys/connections/{id}/test"), json!({})),
        (format!("/api/ssh-keys/connections/{id}/refresh-storage"), json!({})),
        (format!("/api/ssh-keys/connections/{id}/redeploy"), json!({"password": "x"})),
        (
            "/api/ssh-keys/quick-setup".into(),
            json!({"name": "k", "host": "h.invalid", "username": "u", "password": "x"}),
        ),
    ];
    for (path, body) in &routes {
        for (who, auth, expected) in
            [("anonymous", &Auth::Anonymous, 401), ("viewer", &viewer, 403), ("repo token", &scoped, 403)]
        {
            let res = s.app.json(Method::POST, path, auth, Some(body.clone())).await;
            assert_eq!(res.status.as_u16(), expected, "{who} on {path}: {}", res.text());
        }
    }
    let progress = format!("/api/ssh-keys/connections/{id}/progress");
    for (who, auth, expected) in
        [("anonymous", &Auth::Anonymous, 401), ("viewer", &viewer, 403), ("repo token", &scoped, 403)]
    {
        let res = s.app.json(Method::GET, &progress, auth, None).await;
        assert_eq!(res.status.as_u16(), expected, "{who} reads progress: {}", res.text());
    }
    for action in ["test", "refresh-storage", "redeploy"] {
        let (status, _) = s
            .call(Method::POST, &format!("/api/ssh-keys/connections/999/{action}"), Some(json!({"password": "x"})))
            .await;
        assert_eq!(status, 404, "{action} on a missing connection");
    }
    assert_eq!(s.listed(id).await["status"], "unknown", "nobody tested it");
}

#[tokio::test]
async fn bad_quick_setup_and_redeploy_input_names_the_field_and_stores_nothing() {
    let s = SshApp::start(None).await;
    let base = json!({"name": "backup", "key_type": "ed25519", "host": "nas.invalid", "username": "backup", "port": 22,
        "password": "pw", "use_sftp_mode": true});
    let cases: Vec<(&str, Value, &str)> = vec![
        ("host", json!("-oProxyCommand=touch /tmp/x"), "host"),
        ("host", json!("user@nas"), "host"),
        ("host", json!("ssh://nas"), "host"),
        ("host", json!("nas:22"), "host"),
        ("host", json!(""), "host"),
        ("host", json!("two words"), "host"),
        ("username", json!("-oProxyCommand=x"), "username"),
        ("username", json!(""), "username"),
        ("username", json!("a b"), "username"),
        ("port", json!(0), "port"),
        ("port", json!(65536), "port"),
        ("port", json!(-1), "port"),
        ("port", json!("twenty-two"), "port"),
        ("key_type", json!("dsa"), "key_type"),
        ("key_type", json!("rsa1"), "key_type"),
        ("name", json!("../etc/passwd"), "name"),
        ("name", json!(""), "name"),
        ("password", json!(""), "password"),
        ("use_sftp_mode", json!("yes"), "use_sftp_mode"),
        ("skip_deployment", json!(3), "skip_deployment"),
    ];
    for (field, value, named) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        let (status, answer) = s.call(Method::POST, "/api/ssh-keys/quick-setup", Some(body)).await;
        assert!((400..500).contains(&status), "{field}={value}: {status} {answer}");
        assert_eq!(answer["field"].as_str(), Some(named), "{field}={value}: {answer}");
    }
    let res = s.app.raw(Method::POST, "/api/ssh-keys/quick-setup", &s.admin, "application/json", "{not json").await;
    assert_eq!(res.status, 400);

    let id = s.connection(2222, "backup", true, None).await;
    for body in [json!({}), json!({"password": ""}), json!({"password": 5})] {
        let (status, answer) = s.action(id, "redeploy", Some(body.clone())).await;
        assert!((400..500).contains(&status), "{body}: {status}");
        assert_eq!(answer["field"], "password", "{body}: {answer}");
    }
    let (status, _) = s.call(Method::POST, "/api/ssh-keys/connections/abc/test", None).await;
    assert!((400..500).contains(&status));

    let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
    assert_eq!(keys.to_string().matches("\"fingerprint\"").count(), 1, "only the system key: {keys}");
    let (_, listed) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    assert_eq!(listed["connections"].as_array().unwrap().len(), 1);
    assert_eq!(s.listed(id).await["status"], "unknown");
}
