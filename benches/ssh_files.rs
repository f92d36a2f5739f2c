//! What a change costs now that the files in `data/ssh` follow change notices, through the REST API
//! of a real server on loopback (SQLite), each figure next to its reference in the same run:
//! - 1,000 connections created by 8 concurrent clients (each rewrites `ssh_config`) against 1,000
//!   public keys (which touch no file): target ratio ≤ 1.2, and the last hundred no slower than the
//!   first;
//! - one connection created with 10,000 in the database: target < 50 ms;
//! - `GET /api/ssh-keys/connections` (Borg UI's list, all 1,000 rows) under `wrk` at 32
//!   connections against `GET /api/auth/me`: target ≥ 1,000 req/s and p99 < 50 ms.
//!
//! Run: `cargo bench --features ssr --bench ssh_files` (installs Debian's wrk if missing).

use keyhaven::model::Role;
use keyhaven::server::config::Settings;
use keyhaven::server::entities::ssh_connection;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::changes::Change;
use keyhaven::server::state::AppState;
use sea_orm::{EntityTrait, Set};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const CREATES: usize = 1_000;
const CLIENTS: usize = 8;
/// Requests of each kind sent before the measured ones.
const WARM_UP: usize = 100;
const LARGE: usize = 10_000;
const PASSWORD: &str = "bench password 1";

/// A keep-alive HTTP/1.1 connection that sends JSON and reads answers with a Content-Length (all
/// Keyhaven's API answers have one).
struct Client {
    stream: BufReader<TcpStream>,
    token: String,
}

impl Client {
    async fn open(addr: SocketAddr, token: &str) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Client { stream: BufReader::new(stream), token: token.to_string() }
    }

    async fn send(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.token,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).await.expect("write");
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("status line");
        let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.expect("header");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut answer = vec![0; length];
        self.stream.read_exact(&mut answer).await.expect("body");
        (status, String::from_utf8_lossy(&answer).into_owned())
    }
}

/// Sends `bodies[i]` to `path` from `CLIENTS` concurrent clients; returns the whole time and the
/// time of each request, by index.
async fn post_all(addr: SocketAddr, token: &str, path: &'static str, bodies: Vec<String>) -> (Duration, Vec<Duration>) {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..CLIENTS).map(|_| {
        let (bodies, next, token) = (bodies.clone(), next.clone(), token.to_string());
        tokio::spawn(async move {
            let mut client = Client::open(addr, &token).await;
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { return times };
                let one = Instant::now();
                let (status, answer) = client.send("POST", path, body).await;
                assert!(status == 201, "{path}: {status} {answer}");
                times.push((i, one.elapsed()));
            }
        })
    });
    let mut times = vec![Duration::ZERO; bodies.len()];
    for worker in futures::future::join_all(workers).await {
        for (i, took) in worker.expect("worker") {
            times[i] = took;
        }
    }
    (started.elapsed(), times)
}

fn mean_ms(times: &[Duration]) -> f64 {
    times.iter().map(Duration::as_secs_f64).sum::<f64>() * 1e3 / times.len().max(1) as f64
}

fn connection_body(n: usize) -> String {
    format!(r#"{{"host":"10.{}.{}.{}","port":22,"username":"backup{n}"}}"#, n / 65536 % 256, n / 256 % 256, n % 256)
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

/// Runs wrk at 32 connections; returns requests per second and the p99 in milliseconds.
fn wrk(url: &str, token: &str, seconds: u32) -> (f64, f64) {
    let out = Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{seconds}s"), "--latency", "-H", &format!("Authorization: Bearer {token}")])
        .arg(url)
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Non-2xx"), "{text}");
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("")
    };
    let rate = field("Requests/sec:").parse().unwrap_or(0.0);
    let p99 = field("99%");
    let millis = if let Some(n) = p99.strip_suffix("us") {
        n.parse::<f64>().unwrap_or(f64::MAX) / 1000.0
    } else if let Some(n) = p99.strip_suffix("ms") {
        n.parse().unwrap_or(f64::MAX)
    } else {
        p99.strip_suffix('s').and_then(|n| n.parse::<f64>().ok()).map_or(f64::MAX, |s| s * 1000.0)
    };
    (rate, millis)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "meets" } else { "MISSES" }
}

fn main() {
    let seconds = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    ensure_wrk();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
        let db = keyhaven::server::db::open(&settings).await.expect("db");
        let admin = keyhaven::server::services::accounts::create_user(&db, &Actor::cli(), "admin", PASSWORD, Role::Admin)
            .await
            .expect("admin");
        let options = leptos::config::LeptosOptions::builder().output_name("keyhaven").build();
        let (master, _) = keyhaven::server::secrets::MasterKey::generate().expect("key");
        let state = AppState::new(options, db.clone(), settings, master);
        let changes = state.changes.clone();
        let app = keyhaven::server::router::build_router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
        });
        let mut login = Client::open(addr, "").await;
        let (_, answer) =
            login.send("POST", "/api/auth/login", &format!(r#"{{"username":"admin","password":"{PASSWORD}"}}"#)).await;
        let token = serde_json::from_str::<serde_json::Value>(&answer).expect("json")["access_token"]
            .as_str()
            .expect("token")
            .to_string();

        let mut keys = Vec::new();
        for n in 0..CREATES + WARM_UP {
            let spec = keyhaven::server::ssh::keys::KeySpec::Ed25519;
            let line = keyhaven::server::ssh::keys::generate(spec, "bench").await.expect("key").public_openssh;
            keys.push(format!(r#"{{"title":"key {n} of {}","key":"{line}"}}"#, admin.username));
        }
        // Warm-up, not counted: the first requests of a fresh server pay for its caches (SQLite's
        // pages, the pools' threads, the allocator), and whichever kind went first paid for both.
        let warm_keys = keys.split_off(CREATES);
        post_all(addr, &token, "/api/ssh-keys/connections", (CREATES..CREATES + WARM_UP).map(connection_body).collect()).await;
        post_all(addr, &token, "/user/keys", warm_keys).await;
        let passes_before = changes.status().passes;
        let bodies = (0..CREATES).map(connection_body).collect();
        let (conn_total, conn_times) = post_all(addr, &token, "/api/ssh-keys/connections", bodies).await;
        let passes = changes.status().passes - passes_before;
        let (key_total, key_times) = post_all(addr, &token, "/user/keys", keys).await;
        let ratio = conn_total.as_secs_f64() / key_total.as_secs_f64();
        println!("{CREATES} creates by {CLIENTS} clients through the REST API:");
        println!("  connections  {:.2} s (config.d written in {passes} writer passes)", conn_total.as_secs_f64());
        println!("  public keys  {:.2} s (no file)", key_total.as_secs_f64());
        println!("  ratio {ratio:.2}x: {} the ≤ 1.2x target", verdict(ratio <= 1.2));
        let (first, last) = (mean_ms(&conn_times[..100]), mean_ms(&conn_times[CREATES - 100..]));
        println!(
            "  connections: first hundred {first:.2} ms each, last hundred {last:.2} ms each ({:.2}x; public keys {:.2} → {:.2} ms): {} 'no slower'",
            last / first,
            mean_ms(&key_times[..100]),
            mean_ms(&key_times[CREATES - 100..]),
            verdict(last <= first * 1.1)
        );

        let base = format!("http://{addr}");
        let list = format!("{base}/api/ssh-keys/connections");
        let (token_a, token_b) = (token.clone(), token.clone());
        let me = format!("{base}/api/auth/me");
        let ((rate, p99), (me_rate, me_p99)) = tokio::task::spawn_blocking(move || {
            (wrk(&list, &token_a, seconds), wrk(&me, &token_b, seconds))
        })
        .await
        .expect("wrk");
        println!("GET /api/ssh-keys/connections ({CREATES} rows), 32 connections:");
        println!("  {rate:.0} req/s, p99 {p99:.1} ms: {} the ≥ 1,000 req/s and p99 < 50 ms target", verdict(rate >= 1000.0 && p99 < 50.0));
        println!("  reference GET /api/auth/me: {me_rate:.0} req/s, p99 {me_p99:.1} ms (list/me {:.2}x)", rate / me_rate);

        // Grow to 10,000 connections directly, let the writer take them in, then time single changes.
        let now = chrono::Utc::now();
        let rows: Vec<_> = (CREATES + WARM_UP..LARGE)
            .map(|n| ssh_connection::ActiveModel {
                host: Set(format!("10.{}.{}.{}", n / 65536 % 256, n / 256 % 256, n % 256)),
                username: Set(format!("backup{n}")),
                port: Set(22),
                status: Set("unknown".into()),
                use_sftp_mode: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(500) {
            ssh_connection::Entity::insert_many(chunk.to_vec()).exec(&db).await.expect("rows");
        }
        changes.publish(&[Change::Everything]).await;
        let mut client = Client::open(addr, &token).await;
        let mut times = Vec::new();
        for n in LARGE..LARGE + 21 {
            let one = Instant::now();
            let (status, answer) = client.send("POST", "/api/ssh-keys/connections", &connection_body(n)).await;
            assert_eq!(status, 201, "{answer}");
            times.push(one.elapsed());
        }
        times.sort();
        let median = times[times.len() / 2].as_secs_f64() * 1e3;
        let shards: Vec<u64> = std::fs::read_dir(dir.path().join("ssh/config.d"))
            .map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).collect())
            .unwrap_or_default();
        println!(
            "one connection created with {LARGE} in the database: median {median:.1} ms of 21 (blocks: {:.1} MB in {} shards, one rewritten per change): {} the < 50 ms target",
            shards.iter().sum::<u64>() as f64 / 1e6,
            shards.len(),
            verdict(median < 50.0)
        );
    });
}
