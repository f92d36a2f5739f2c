//! Login limits as an attacker meets them: a parallel burst, a lock-out attempt against the admin,
//! and a reverse proxy in front of Keyhaven.

use crate::common::http::TestApp;
use crate::common::{sqlite, test_settings};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use keyhaven::server::entities::audit_log;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

const PW: &str = "long enough password";

/// `POST /api/auth/login` as a client at `peer`, optionally through a proxy's `X-Forwarded-For`.
async fn login_from(app: &TestApp, peer: &str, forwarded: Option<&str>, password: &str) -> u16 {
    let body = json!({"username": "alice", "password": password}).to_string();
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri("/api/auth/login")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(forwarded) = forwarded {
        builder = builder.header("x-forwarded-for", forwarded);
    }
    let mut request = builder.body(Body::from(body)).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 40_000)));
    app.send(request).await.status.as_u16()
}

async fn audited(app: &TestApp, action: &str) -> u64 {
    audit_log::Entity::find().filter(audit_log::Column::Action.eq(action)).count(&app.db.conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_gets_at_most_five_checks_and_never_locks_the_admin_out() {
    let app = Arc::new(TestApp::new(sqlite().await));
    app.setup_admin("alice", PW).await;
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let app = app.clone();
        burst.spawn(async move { login_from(&app, "203.0.113.66", None, "wrong password!").await });
    }
    let mut statuses = Vec::new();
    while let Some(status) = burst.join_next().await {
        statuses.push(status.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 35), "{statuses:?}");
    assert_eq!(audited(&app, "login.failed").await, 5, "one audit row per checked password");
    for _ in 0..20 {
        assert_eq!(login_from(&app, "203.0.113.66", None, PW).await, 429, "the attacked pair stays refused");
    }
    assert_eq!(audited(&app, "login.throttled").await, 1, "one row per throttled key and window, not per try");
    assert_eq!(login_from(&app, "198.51.100.7", None, PW).await, 200, "the admin elsewhere gets in");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_limited_on_its_own() {
    let settings = keyhaven::server::config::Settings { trusted_proxies: vec!["10.0.0.2".into()], ..test_settings() };
    let app = TestApp::with_settings(sqlite().await, settings);
    app.setup_admin("alice", PW).await;
    for _ in 0..5 {
        assert_eq!(login_from(&app, "10.0.0.2", Some("203.0.113.66"), "wrong password!").await, 401);
    }
    assert_eq!(login_from(&app, "10.0.0.2", Some("203.0.113.66"), PW).await, 429);
    assert_eq!(login_from(&app, "10.0.0.2", Some("198.51.100.7"), PW).await, 200, "another client of the proxy");
    // From anywhere else the header is the client's own word and counts for nothing.
    for _ in 0..5 {
        assert_eq!(login_from(&app, "192.0.2.1", Some("10.9.9.1"), "wrong password!").await, 401);
    }
    assert_eq!(login_from(&app, "192.0.2.1", Some("10.9.9.2"), PW).await, 429, "a new header is no new address");
}
