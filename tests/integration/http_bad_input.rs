//! Bad input gets a clear 4xx naming the field, and changes nothing.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::http::Method;
use serde_json::json;

const PW: &str = "long enough password";

#[tokio::test]
async fn setup_refuses_bad_usernames_and_passwords_and_stores_nothing() {
    let app = TestApp::new(sqlite().await);
    let cases = [
        (json!({"username": "", "password": PW}), 422, "username"),
        (json!({"username": "a".repeat(200), "password": PW}), 422, "username"),
        (json!({"username": "ok", "password": "short"}), 422, "password"),
        (json!({"username": "ok"}), 422, "password"),
        (json!({"username": 5, "password": PW}), 422, "username"),
    ];
    for (body, status, field) in cases {
        let res = app.json(Method::POST, "/api/setup", &Auth::Anonymous, Some(body.clone())).await;
        assert_eq!(res.status.as_u16(), status, "{body}: {}", res.text());
        let answer = res.json();
        assert_eq!(answer["success"], false);
        assert_eq!(answer["field"], field, "{body}");
        assert!(!answer["detail"].as_str().unwrap().is_empty());
    }
    let res = app.raw(Method::POST, "/api/setup", &Auth::Anonymous, "application/json", "{\"username\": ").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["detail"], "Problems parsing JSON");
    let status = app.json(Method::GET, "/api/setup", &Auth::Anonymous, None).await.json();
    assert_eq!(status["admin_exists"], false, "nothing was created");
}

#[tokio::test]
async fn wrong_passwords_answer_401_and_lock_out_with_a_retry_time() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    for _ in 0..5 {
        let res = app
            .raw(
                Method::POST,
                "/api/auth/login",
                &Auth::Anonymous,
                "application/x-www-form-urlencoded",
                "username=alice&password=wrong-one",
            )
            .await;
        assert_eq!(res.status, 401, "{}", res.text());
    }
    let res = app
        .raw(
            Method::POST,
            "/api/auth/login",
            &Auth::Anonymous,
            "application/x-www-form-urlencoded",
            &format!("username=alice&password={PW}"),
        )
        .await;
    assert_eq!(res.status, 429, "locked even with the right password");
    assert!(res.json()["detail"].as_str().unwrap().contains("try again in 15 minutes"), "{}", res.text());
    assert!(res.header("retry-after").is_some());
    let audit = app.state.db.clone();
    let page = keyhaven::server::services::audit::list(
        &audit,
        &keyhaven::server::services::audit::AuditFilter {
            action: "login.failed".into(),
            per_page: 50,
            page: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.entries.len(), 5, "each failure is audited");
    assert!(page.entries.iter().all(|e| !e.detail.contains("wrong-one")), "no password in the audit log");
}

#[tokio::test]
async fn form_and_json_logins_both_give_bearer_tokens() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let res = app
        .raw(
            Method::POST,
            "/api/auth/login",
            &Auth::Anonymous,
            "application/x-www-form-urlencoded",
            &format!("username=alice&password={}", PW.replace(' ', "+")),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 8 * 3600);
    let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 3, "exactly access_token, token_type, expires_in: {keys:?}");
    let token = body["access_token"].as_str().unwrap();
    let me = app.json(Method::GET, "/api/auth/me", &Auth::Bearer(token.into()), None).await;
    assert_eq!(me.json()["user"]["username"], "alice");
    let json_login = app
        .json(
            Method::POST,
            "/api/auth/login",
            &Auth::Anonymous,
            Some(json!({"username": "alice", "password": "nope nope nope"})),
        )
        .await;
    assert_eq!(json_login.status, 401);
}

#[tokio::test]
async fn revoked_expired_and_malformed_tokens_are_401() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    let created =
        app.json(Method::POST, "/api/tokens", &admin, Some(json!({"name": "gone", "scopes": ["admin"]}))).await.json();
    let token = created["api_token"]["token"].as_str().unwrap().to_string();
    let id = created["api_token"]["id"].as_i64().unwrap();
    assert_eq!(app.json(Method::GET, "/api/users", &Auth::Bearer(token.clone()), None).await.status, 200);
    assert_eq!(app.json(Method::DELETE, &format!("/api/tokens/{id}"), &admin, None).await.status, 200);
    assert_eq!(app.json(Method::GET, "/api/users", &Auth::Bearer(token), None).await.status, 401);
    assert_eq!(app.json(Method::GET, "/api/users", &Auth::Bearer("khp_forged".into()), None).await.status, 401);
    let res = app.raw(Method::GET, "/api/users", &Auth::Anonymous, "text/plain", "").await;
    assert_eq!(res.status, 401);
    assert_eq!(res.json()["detail"], "Requires authentication");
    let bad = app.json(Method::POST, "/api/tokens", &admin, Some(json!({"name": "x", "scopes": ["write:org"]}))).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["field"], "scopes");
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_anything_changes() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let cookie = app.browser_login("alice", PW).await;
    let form = "username=mallory&password=long+enough+password&role=admin";
    for (header, value) in [("sec-fetch-site", "cross-site"), ("origin", "http://evil.example")] {
        let request = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/rpc/create_user")
            .header("host", "127.0.0.1:3000")
            .header("cookie", format!("keyhaven_session={cookie}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(header, value)
            .body(axum::body::Body::from(form))
            .unwrap();
        let res = app.send(request).await;
        assert_eq!(res.status, 403, "{header}: {}", res.text());
    }
    let users = app.server_fn("list_users", &Auth::Session(cookie), &[]).await.json();
    assert!(users.as_array().unwrap().iter().all(|u| u["username"] != "mallory"));
}
