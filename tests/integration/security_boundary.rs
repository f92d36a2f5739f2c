//! The trust boundary, attacked as a review found it open: each request below once succeeded.

use crate::common::http::{Auth, TestApp};
use crate::common::{sqlite, test_settings};
use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;

const PW: &str = "long enough password";

async fn admin_app() -> (TestApp, Auth) {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let login = Auth::Bearer(app.api_login("alice", PW).await);
    (app, login)
}

async fn token_with(app: &TestApp, login: &Auth, scopes: &[&str]) -> Auth {
    let body = json!({"name": "provisioning", "scopes": scopes});
    let res = app.json(Method::POST, "/api/tokens", login, Some(body)).await;
    assert_eq!(res.status, 201, "{}", res.text());
    Auth::Bearer(res.json()["api_token"]["token"].as_str().expect("token").to_string())
}

#[tokio::test]
async fn a_narrow_token_cannot_reach_its_owners_role_through_server_functions() {
    let (app, login) = admin_app().await;
    let narrow = token_with(&app, &login, &["read:public_key"]).await;
    let form = [("username", "mallory"), ("password", PW), ("role", "admin")];
    let res = app.server_fn("create_user", &narrow, &form).await;
    assert_eq!(res.status, 403, "{}", res.text());
    assert!(res.text().contains("/api/"), "the refusal points at the REST API: {}", res.text());
    // Even a token with every scope is refused there: server functions are the browser's.
    let res = app.server_fn("create_user", &login, &form).await;
    assert_eq!(res.status, 403, "{}", res.text());
    let users = app.json(Method::GET, "/api/users", &login, None).await.json();
    let names: Vec<&str> = users["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice"], "no account was created");
    // The same token still does what its scope allows, and no more.
    assert_eq!(app.json(Method::GET, "/user/keys", &narrow, None).await.status, 200);
    assert_eq!(app.json(Method::GET, "/api/users", &narrow, None).await.status, 403);
}

#[tokio::test]
async fn a_token_cannot_load_pages() {
    let (app, login) = admin_app().await;
    for path in ["/", "/settings/users", "/login"] {
        let res = app.get_page(path, &login).await;
        assert_eq!(res.status, 403, "{path}: {}", res.text());
    }
}

#[tokio::test]
async fn viewers_cannot_make_keyhaven_connect_anywhere_or_read_progress() {
    let (app, login) = admin_app().await;
    app.create_user(&login, "vic", PW, "viewer").await;
    let viewer = Auth::Session(app.browser_login("vic", PW).await);
    // A listener that counts connections: a scan would knock.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let res = app.server_fn("scan_known_host", &viewer, &[("host", "127.0.0.1"), ("port", &port)]).await;
    assert_eq!(res.status, 403, "{}", res.text());
    let page = app.get_page(&format!("/settings/known-hosts?host=127.0.0.1&port={port}"), &viewer).await;
    assert_eq!(page.status, 200);
    let knocked = tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await;
    assert!(knocked.is_err(), "a viewer's page load made Keyhaven connect to the port");
    let res = app.server_fn("get_progress", &viewer, &[("id", "1")]).await;
    assert_eq!(res.status, 403, "{}", res.text());
    let res = app.json(Method::GET, "/api/ssh-keys/connections/1/progress", &viewer, None).await;
    assert_eq!(res.status, 403, "{}", res.text());
}

#[tokio::test]
async fn a_refused_form_post_goes_back_to_its_page_with_the_reason() {
    let (app, login) = admin_app().await;
    app.create_user(&login, "vic", PW, "viewer").await;
    let Auth::Session(cookie) = Auth::Session(app.browser_login("vic", PW).await) else { unreachable!() };
    let request = Request::builder()
        .method(Method::POST)
        .uri("/rpc/create_user")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::COOKIE, format!("keyhaven_session={cookie}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://127.0.0.1:3000/settings/users")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("username=x&password=long+enough+password&role=admin"))
        .unwrap();
    let res = app.send(request).await;
    assert!(res.status.is_redirection(), "{} {}", res.status, res.text());
    let location = res.header("location").unwrap();
    assert!(location.starts_with("http://127.0.0.1:3000/settings/users?"), "{location}");
    assert!(location.contains("__err="), "the page can show why: {location}");
}

#[tokio::test]
async fn a_host_name_keyhaven_was_not_told_about_is_refused() {
    let settings = keyhaven::server::config::Settings { allowed_hosts: vec!["kh.lan".into()], ..test_settings() };
    let app = TestApp::with_settings(sqlite().await, settings);
    let send = |host: &'static str| {
        let request = Request::builder().uri("/healthz").header(header::HOST, host).body(Body::empty()).unwrap();
        app.send(request)
    };
    assert_eq!(send("rebind.evil.example:3000").await.status, 421);
    assert_eq!(send("127.0.0.1:3000").await.status, 200);
    assert_eq!(send("localhost:3000").await.status, 200);
    assert_eq!(send("kh.lan:3000").await.status, 200);
}

#[tokio::test]
async fn answers_carry_security_headers() {
    let (app, login) = admin_app().await;
    for res in [app.get_page("/login", &Auth::Anonymous).await, app.json(Method::GET, "/api/users", &login, None).await]
    {
        assert_eq!(res.header("x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(res.header("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(res.header("referrer-policy").as_deref(), Some("same-origin"));
        let csp = res.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}

#[tokio::test]
async fn login_never_sends_the_browser_to_another_site() {
    let (app, _) = admin_app().await;
    for next in ["/%09/evil.example", "/\t/evil.example", "//evil.example", "/ok\u{1}", "https://evil.example/"] {
        let res =
            app.server_fn("login", &Auth::Anonymous, &[("username", "alice"), ("password", PW), ("next", next)]).await;
        assert!(res.status.is_success() || res.status.is_redirection(), "{next:?}: {} {}", res.status, res.text());
        assert_eq!(res.header("location").as_deref(), Some("/"), "{next:?}");
    }
    let res = app
        .server_fn("login", &Auth::Anonymous, &[("username", "alice"), ("password", PW), ("next", "/settings/users")])
        .await;
    assert_eq!(res.header("location").as_deref(), Some("/settings/users"));
}

#[tokio::test]
async fn the_database_never_holds_a_session_id_or_a_new_token_in_clear() {
    use keyhaven::server::entities::session;
    use sea_orm::EntityTrait;
    let (app, _) = admin_app().await;
    let cookie = app.browser_login("alice", PW).await;
    let rows = session::Entity::find().all(&app.db.conn).await.unwrap();
    assert!(rows.iter().all(|r| r.id != cookie && !r.data.contains(&cookie)), "the id is not stored as it is");
    // A token made by a plain form post waits in the session for the page that shows it, sealed.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/rpc/create_token")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::COOKIE, format!("keyhaven_session={cookie}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://127.0.0.1:3000/settings/tokens")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=script&repo=on"))
        .unwrap();
    assert!(app.send(request).await.status.is_redirection());
    let rows = session::Entity::find().all(&app.db.conn).await.unwrap();
    assert!(rows.iter().all(|r| !r.data.contains("khp_")), "no token in clear: {rows:?}");
    let shown = app.server_fn("take_new_token", &Auth::Session(cookie.clone()), &[]).await.json();
    assert!(shown["token"].as_str().unwrap().starts_with("khp_"), "{shown}");
    let again = app.server_fn("take_new_token", &Auth::Session(cookie), &[]).await.json();
    assert!(again.is_null(), "shown once");
}

#[tokio::test]
async fn a_page_allows_only_its_own_scripts_and_those_this_render_wrote() {
    let (app, _) = admin_app().await;
    let page = app.get_page("/login", &Auth::Anonymous).await;
    let csp = page.header("content-security-policy").unwrap_or_default();
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap_or_default().to_string();
    assert!(nonce.len() >= 16, "a fresh nonce in the policy: {csp}");
    assert!(csp.contains("script-src 'self' 'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text();
    let scripts = html.matches("<script").count();
    assert!(
        scripts >= 1 && html.matches(&format!("nonce=\"{nonce}\"")).count() >= scripts,
        "every inline script carries it"
    );
    let again = app.get_page("/login", &Auth::Anonymous).await.header("content-security-policy").unwrap_or_default();
    assert!(!again.contains(&nonce), "a new nonce for each page");
}
