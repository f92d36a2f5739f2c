//! The keys API under load: 10,000 users with a key each (and one user with 300 keys) on SQLite,
//! served by the real router, loaded with `wrk` (Debian's package; installed if missing) at 32
//! connections. Prints requests per second and latency percentiles; the target is p99 < 10 ms.
//!
//! Run: `cargo bench --features ssr --bench keys_api` (optionally `-- SECONDS` per endpoint).

use keyhaven::model::Scope;
use keyhaven::server::entities::{public_key, user};
use keyhaven::server::services::accounts::{self, KIND_PERSONAL, TokenRequest};
use keyhaven::server::services::audit::Actor;
use keyhaven::server::ssh::keys::{self, KeySpec};
use keyhaven::server::ssh::public_key::{self as parser, KeyPolicy};
use sea_orm::{DatabaseConnection, EntityTrait, Set};
use std::process::Command;

const USERS: usize = 10_000;
const HEAVY_USER_KEYS: usize = 300;

async fn key_row(owner: i32, n: usize) -> public_key::ActiveModel {
    let line = keys::generate(KeySpec::Ed25519, &format!("key{n}@bench")).await.expect("key").public_openssh;
    let parsed = parser::parse(&line, &KeyPolicy::default()).expect("parse");
    public_key::ActiveModel {
        user_id: Set(Some(owner)),
        repository_id: Set(None),
        title: Set(format!("key {n}")),
        key_type: Set(parsed.key_type),
        bits: Set(256),
        key: Set(parsed.key),
        comment: Set(parsed.comment),
        fingerprint: Set(parsed.fingerprint),
        read_only: Set(false),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
}

/// Users are inserted directly with one shared password hash: hashing 10,000 passwords with
/// argon2id would take minutes and is not what this measures.
async fn seed(db: &DatabaseConnection) -> user::Model {
    let hash = keyhaven::server::services::accounts::hash_password("bench password 1").await.expect("hash");
    let now = chrono::Utc::now();
    for chunk in (0..=USERS).collect::<Vec<_>>().chunks(500) {
        let rows = chunk.iter().map(|n| user::ActiveModel {
            username: Set(if *n == USERS { "heavy".to_string() } else { format!("user{n}") }),
            password_hash: Set(hash.clone()),
            role: Set("viewer".into()),
            is_active: Set(true),
            auth_version: Set(1),
            created_at: Set(now),
            last_login_at: Set(None),
            ..Default::default()
        });
        user::Entity::insert_many(rows).exec(db).await.expect("users");
    }
    let mut rows = Vec::new();
    for n in 0..USERS {
        rows.push(key_row(i32::try_from(n + 1).expect("id"), n).await);
    }
    let heavy_id = i32::try_from(USERS + 1).expect("id");
    for n in 0..HEAVY_USER_KEYS {
        rows.push(key_row(heavy_id, USERS + n).await);
    }
    for chunk in rows.chunks(500) {
        public_key::Entity::insert_many(chunk.to_vec()).exec(db).await.expect("keys");
    }
    user::Entity::find_by_id(heavy_id).one(db).await.expect("query").expect("heavy user")
}

fn ensure_wrk() {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return;
    }
    println!("installing wrk from Debian's packages…");
    let ok = Command::new("sh")
        .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "wrk could not be installed; install Debian's wrk package");
}

/// Runs wrk and prints its throughput and latency percentiles.
fn run_wrk(label: &str, url: &str, seconds: u32, extra: &[&str]) {
    let out = Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{seconds}s"), "--latency"])
        .args(extra)
        .arg(url)
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let pick = |prefix: &str| {
        text.lines().find(|l| l.trim_start().starts_with(prefix)).map(|l| l.trim().to_string()).unwrap_or_default()
    };
    let p99 = pick("99%");
    println!("\n{label}\n  {}\n  {}\n  {}\n  {}", pick("Requests/sec"), pick("50%"), pick("90%"), p99);
    if text.contains("Non-2xx") {
        println!("  WARNING: {}", pick("Non-2xx"));
    }
    let millis = parse_millis(p99.split_whitespace().nth(1).unwrap_or(""));
    let verdict = if millis.is_some_and(|m| m < 10.0) { "meets" } else { "MISSES" };
    println!("  p99 {} the 10 ms target", verdict);
}

/// wrk prints `812.00us`, `3.21ms` or `1.02s`.
fn parse_millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else {
        (text.strip_suffix('s')?, 1000.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn main() {
    let seconds = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    ensure_wrk();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
        let db = keyhaven::server::db::connect(&url).await.expect("db");
        keyhaven::server::db::migrate(&db).await.expect("migrate");
        let started = std::time::Instant::now();
        let heavy = seed(&db).await;
        println!("seeded {USERS} users with a key each and one with {HEAVY_USER_KEYS} keys in {:.1?}", started.elapsed());
        let request = TokenRequest { name: "bench", scopes: vec![Scope::ReadPublicKey], expires_in_days: None, kind: KIND_PERSONAL, made_with: None };
        let token = accounts::create_token(&db, &Actor::cli(), &heavy, request).await.expect("token").token;

        let options = leptos::config::LeptosOptions::builder().output_name("keyhaven").build();
        let (master, _) = keyhaven::server::secrets::MasterKey::generate().expect("key");
        let state = keyhaven::server::state::AppState::new(options, db, Default::default(), master);
        let app = keyhaven::server::router::build_router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
        });
        let script = dir.path().join("random-user.lua");
        let lua = format!(
            "math.randomseed(42)\nrequest = function()\n  return wrk.format(nil, \"/users/user\" .. math.random(0, {}) .. \"/keys\")\nend\n",
            USERS - 1
        );
        std::fs::write(&script, lua).expect("lua");
        let base = format!("http://{addr}");
        let script_arg = script.to_string_lossy().into_owned();
        tokio::task::spawn_blocking(move || {
            run_wrk(
                "GET /users/{random of 10,000}/keys (no authentication), 32 connections",
                &base,
                seconds,
                &["-s", &script_arg],
            );
            run_wrk(
                "GET /user/keys?per_page=100 (bearer token, 300 keys), 32 connections",
                &format!("{base}/user/keys?per_page=100"),
                seconds,
                &["-H", &format!("Authorization: Bearer {token}")],
            );
        })
        .await
        .expect("wrk thread");
    });
}
