//! Malformed requests to every entry point in the authorization table, as an admin: wrong types,
//! huge and negative numbers, long strings, control characters, invalid UTF-8, truncated JSON,
//! broken keys, a KDF bomb. None may answer 5xx or panic, and the data stored before is exactly
//! the data stored after.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::body::Body;
use axum::http::{Method, Request, header};
use keyhaven::server::access::EntryKind;
use keyhaven::server::entities::{
    api_token, app_setting, known_host, public_key, repository, ssh_connection, ssh_key, user,
};
use keyhaven::server::router::access_table;
use sea_orm::EntityTrait;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

const PW: &str = "long enough password";
const HOST_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF0KhY0U+MlomC9QRuLS90jzgeweKQ3Ik7RrdjVY5lT2";

/// Bodies that are wrong in every way a client gets a body wrong.
fn bad_bodies() -> Vec<Vec<u8>> {
    let long = "x".repeat(300_000);
    let bomb = include_str!("../fixtures/kdf_bomb_ed25519");
    vec![
        b"{\"name\": \"trunc".to_vec(),
        b"[1, 2, 3]".to_vec(),
        json!({"name": 5, "id": "x", "port": -1, "host": false, "key": [], "role": {}, "scopes": "admin"}).to_string().into_bytes(),
        json!({"id": 99999999999999999999u128.to_string(), "port": 1e300, "page": -5, "expires_in_days": 4294967296u64})
            .to_string()
            .into_bytes(),
        json!({"name": long, "host": long, "title": long, "description": long}).to_string().into_bytes(),
        json!({"name": "a\u{0}b\nc", "host": "h\r\nx", "comment": "c\u{7}", "username": "-oProxyCommand=x"}).to_string().into_bytes(),
        json!({"key": "ssh-ed25519 AAAA!!!!not-base64", "title": "t", "public_key": "ssh-rsa AAAAB3NzaC1yc2E="})
            .to_string()
            .into_bytes(),
        json!({"name": 7, "private_key": bomb, "passphrase": "secret"}).to_string().into_bytes(),
        b"name=%ff%fe&id=%C0%80&\xff\xfe=\x00".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x81],
    ]
}

/// Ids and names that do not exist, and for an update also a real id (with a malformed body). A
/// real one is never used with DELETE or an action without a body: those are well-formed requests.
fn concrete_paths(method: &str, path: &str) -> Vec<String> {
    if !path.contains('{') {
        return vec![path.to_string()];
    }
    let ids: &[&str] = if method == "PUT" {
        &["abc", "-1", "99999999999999999999", "1"]
    } else {
        &["abc", "-1", "99999999999999999999"]
    };
    ids.iter()
        .map(|id| {
            path.replace("{id}", id)
                .replace("{username}", "nobody")
                .replace("{owner}", "nobody")
                .replace("{repo}", "nothing")
                .replace("{*rest}", "x")
        })
        .collect()
}

/// Everything that must survive, as text: users, keys, connections, hosts, people's keys,
/// repositories, settings and tokens (without the time a token was last used).
async fn snapshot(app: &TestApp) -> String {
    let db = &app.db.conn;
    let tokens: Vec<_> = api_token::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.name, t.token_hash, t.scopes, t.expires_at, t.revoked_at))
        .collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{tokens:?}",
        user::Entity::find().all(db).await.unwrap(),
        ssh_key::Entity::find().all(db).await.unwrap(),
        ssh_connection::Entity::find().all(db).await.unwrap(),
        known_host::Entity::find().all(db).await.unwrap(),
        public_key::Entity::find().all(db).await.unwrap(),
        repository::Entity::find().all(db).await.unwrap(),
        app_setting::Entity::find().all(db).await.unwrap(),
    )
}

async fn filled_app() -> (TestApp, String, String) {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let token = app.api_login("alice", PW).await;
    let admin = Auth::Bearer(token.clone());
    app.create_user(&admin, "vic", PW, "viewer").await;
    let made = [
        ("/api/ssh-keys/generate", json!({"name": "System SSH Key"})),
        ("/api/known-hosts/import", json!({"known_hosts": format!("127.0.0.1 {HOST_KEY}\n")})),
        ("/api/ssh-keys/connections", json!({"host": "127.0.0.1", "port": 1, "username": "backup"})),
        ("/user/repos", json!({"name": "vault"})),
    ];
    for (path, body) in made {
        let res = app.json(Method::POST, path, &admin, Some(body)).await;
        assert!(res.status.is_success(), "{path}: {}", res.text());
    }
    let cookie = app.browser_login("alice", PW).await;
    (app, token, cookie)
}

#[tokio::test]
async fn malformed_requests_get_a_4xx_and_change_nothing() {
    // Requests run on this test's own (current-thread) runtime: count the panics of this thread
    // only, not those other tests provoke on purpose.
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    let this_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == this_thread {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        previous(info);
    }));
    let (app, token, cookie) = filled_app().await;
    let before = snapshot(&app).await;
    let mut sent = 0;
    let mut wrong = Vec::new();
    for entry in access_table(&app.state) {
        // Signing out reads no body and would end the credentials the sweep goes on with.
        if entry.kind == EntryKind::Page || entry.path == "/rpc/logout" || entry.path.starts_with("/api/auth/logout") {
            continue;
        }
        for path in concrete_paths(&entry.method, &entry.path) {
            for body in bad_bodies() {
                let method = if entry.method == "ANY" { "POST" } else { entry.method.as_str() };
                let mut builder = Request::builder()
                    .method(Method::from_bytes(method.as_bytes()).unwrap())
                    .uri(&path)
                    .header(header::HOST, "127.0.0.1:3000");
                builder = match entry.kind {
                    EntryKind::Rest => builder
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .header(header::CONTENT_TYPE, "application/json"),
                    _ => builder
                        .header(header::COOKIE, format!("keyhaven_session={cookie}"))
                        .header("sec-fetch-site", "same-origin")
                        .header(header::ACCEPT, "application/json")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
                };
                let res = app.send(builder.body(Body::from(body.clone())).unwrap()).await;
                sent += 1;
                if res.status.is_server_error() {
                    wrong.push(format!(
                        "{method} {path}: {} {}",
                        res.status,
                        res.text().chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }
    eprintln!("{sent} malformed requests sent");
    assert!(sent >= 300, "only {sent} requests");
    let still = app.json(Method::GET, "/api/users", &Auth::Bearer(token.clone()), None).await;
    assert_eq!(still.status, 200, "the sweep kept its credentials to the end");
    assert!(wrong.is_empty(), "{} of {sent} answered 5xx:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a handler panicked");
    assert_eq!(snapshot(&app).await, before, "stored data changed");
}
