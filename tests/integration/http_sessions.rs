//! Browser sessions: the setup and login gates, cookies, restarts, logout, password resets.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::http::Method;
use serde_json::json;

const PW: &str = "long enough password";

#[tokio::test]
async fn a_fresh_install_sends_every_page_to_setup_then_to_login() {
    let app = TestApp::new(sqlite().await);
    for path in ["/", "/settings/users", "/login"] {
        let res = app.get_page(path, &Auth::Anonymous).await;
        assert!(res.status.is_redirection(), "{path}: {}", res.status);
        assert_eq!(res.header("location").as_deref(), Some("/setup"));
    }
    let setup = app.get_page("/setup", &Auth::Anonymous).await;
    assert_eq!(setup.status, 200);
    assert!(setup.text().contains("Create admin account"));
    app.setup_admin("alice", PW).await;
    let res = app.get_page("/settings/users", &Auth::Anonymous).await;
    assert_eq!(res.header("location").as_deref(), Some("/login?next=/settings/users"));
    // The wizard goes on (key, first connection) for a signed-in admin only; nobody else sees the
    // admin form again.
    let rest = app.get_page("/setup", &Auth::Anonymous).await.text();
    assert!(rest.contains("Sign in as an administrator to continue"), "{rest}");
    assert!(!rest.contains("Create admin account"));
    assert_eq!(app.get_page("/healthz", &Auth::Anonymous).await.status, 200);
}

#[tokio::test]
async fn login_sets_a_safe_cookie_with_a_new_id_that_survives_a_restart() {
    let db = sqlite().await;
    let app = TestApp::new(db);
    app.setup_admin("alice", PW).await;
    let planted = "AAAAAAAAAAAAAAAAAAAAAA";
    let res = app.server_fn("login", &Auth::Session(planted.into()), &[("username", "alice"), ("password", PW)]).await;
    let set_cookie = res.header("set-cookie").expect("cookie");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain http install");
    let cookie = res.session_cookie().unwrap();
    assert_ne!(cookie, planted, "a fresh session id at login");
    let page = app.get_page("/settings/users", &Auth::Session(cookie.clone())).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("alice"));

    // A new router on the same database: the session is still valid.
    let restarted = TestApp::new(crate::common::TestDb { conn: app.db.conn.clone(), engine: "sqlite", _dir: None });
    let page = restarted.get_page("/settings/users", &Auth::Session(cookie.clone())).await;
    assert_eq!(page.status, 200, "session survives a restart");

    let out = restarted.server_fn("logout", &Auth::Session(cookie.clone()), &[]).await;
    assert!(out.status.is_success() || out.status.is_redirection());
    let page = restarted.get_page("/settings/users", &Auth::Session(cookie)).await;
    assert!(page.status.is_redirection(), "logged out");
}

#[tokio::test]
async fn tampered_cookies_and_reset_passwords_end_sessions() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    app.create_user(&admin, "vic", PW, "viewer").await;
    let cookie = app.browser_login("vic", PW).await;
    let mut tampered = cookie.clone();
    tampered.replace_range(0..2, if cookie.starts_with("zz") { "yy" } else { "zz" });
    let res = app.json(Method::GET, "/api/users", &Auth::Session(tampered.clone()), None).await;
    assert_eq!(res.status, 401);
    assert!(app.get_page("/", &Auth::Session(tampered)).await.status.is_redirection());
    assert_eq!(app.json(Method::GET, "/api/users", &Auth::Session(cookie.clone()), None).await.status, 200);
    let res = app.json(Method::PUT, "/api/users/2", &admin, Some(json!({"password": "another long password"}))).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        app.json(Method::GET, "/api/users", &Auth::Session(cookie), None).await.status,
        401,
        "reset ends sessions"
    );
}

#[tokio::test]
async fn a_session_is_refused_after_its_absolute_lifetime() {
    let db = sqlite().await;
    let mut state = crate::common::test_state(db.conn.clone());
    let mut settings = (*state.settings).clone();
    settings.session_lifetime_hours = 0;
    state.settings = std::sync::Arc::new(settings);
    let app = TestApp { router: keyhaven::server::router::build_router(state.clone()), state, db };
    app.setup_admin("alice", PW).await;
    let cookie = app.browser_login("alice", PW).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.json(Method::GET, "/api/users", &Auth::Session(cookie), None).await.status, 401);
}
