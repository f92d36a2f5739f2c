//! Key generation: Keyhaven's in-process generator against `ssh-keygen`, in the same run, and the
//! latency of other requests while RSA-4096 keys are being generated.
//!
//! Run: `cargo bench --features ssr --bench keygen` (optionally `-- N` for N keys per type).
//! Prints medians, ratios, and p50/p99 of `/healthz` during RSA-4096 generation.

use keyhaven::server::ssh::keys::{self, KeySpec};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ssh_keygen_once(dir: &std::path::Path, key_type: &str, bits: Option<u32>) -> Duration {
    let file = dir.join("k");
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(dir.join("k.pub"));
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-q", "-t", key_type, "-N", "", "-f"]).arg(&file);
    if let Some(b) = bits {
        cmd.args(["-b", &b.to_string()]);
    }
    let start = Instant::now();
    let status = cmd.status().expect("ssh-keygen runs");
    let elapsed = start.elapsed();
    assert!(status.success());
    elapsed
}

async fn compare(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, KeySpec, &str, Option<u32>); 5] = [
        ("ed25519", KeySpec::Ed25519, "ed25519", None),
        ("ecdsa-256", KeySpec::Ecdsa { bits: 256 }, "ecdsa", Some(256)),
        ("rsa-2048", KeySpec::Rsa { bits: 2048 }, "rsa", Some(2048)),
        ("rsa-3072", KeySpec::Rsa { bits: 3072 }, "rsa", Some(3072)),
        ("rsa-4096", KeySpec::Rsa { bits: 4096 }, "rsa", Some(4096)),
    ];
    println!("{:<10} {:>14} {:>14} {:>22}", "type", "keyhaven", "ssh-keygen", "ssh-keygen / keyhaven");
    for (label, spec, kt, bits) in cases {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..n {
            let start = Instant::now();
            keys::generate(spec, "bench").await.expect("generate");
            ours.push(start.elapsed());
            theirs.push(ssh_keygen_once(dir.path(), kt, bits));
        }
        let (a, b) = (median(ours), median(theirs));
        println!("{label:<10} {:>12.3?} {:>14.3?} {:>21.1}x", a, b, b.as_secs_f64() / a.as_secs_f64());
    }
}

/// One HTTP/1.1 GET over a fresh connection; returns its latency.
async fn get(addr: std::net::SocketAddr, path: &str) -> Duration {
    let start = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.expect("read");
    assert!(buf.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf));
    start.elapsed()
}

async fn latency_during_rsa4096() {
    let conn = keyhaven::server::db::connect("sqlite::memory:").await.expect("db");
    keyhaven::server::db::migrate(&conn).await.expect("migrate");
    let options = leptos::config::LeptosOptions::builder().output_name("keyhaven").build();
    let (master, _) = keyhaven::server::secrets::MasterKey::generate().expect("key");
    let state = keyhaven::server::state::AppState::new(options, conn, Default::default(), master);
    let app = keyhaven::server::router::build_router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let generating = tokio::spawn(async {
        for _ in 0..4 {
            keys::generate(KeySpec::Rsa { bits: 4096 }, "bench").await.expect("rsa");
        }
    });
    let mut samples = Vec::new();
    while !generating.is_finished() {
        samples.push(get(addr, "/healthz").await);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "\n/healthz while 4 RSA-4096 keys were generated: {} requests, p50 {:.2?}, p99 {:.2?}",
        samples.len(),
        p(0.5),
        p(0.99)
    );
}

fn main() {
    let n = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(9);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        println!("Median of {n} keys per type, same machine, same run.\n");
        compare(n).await;
        latency_during_rsa4096().await;
    });
}
