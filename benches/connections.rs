//! SSH work against a loopback OpenSSH sshd, timed next to OpenSSH's own tools in the same run:
//! - scanning 50 targets (127.0.0.1–50) vs `ssh-keyscan -f` on the same list (target ≤ 1.0×);
//! - testing 50 connections vs `ssh -o BatchMode=yes … true` one after another, as Borg UI does
//!   (target ≥ 5× faster), and vs the same through `xargs -P 8` (target ≤ 1.0×);
//! - 20 silent hosts tested together finish within one connect timeout plus 2 s.
//!
//! Run as root (it starts sshd): `cargo bench --features ssr --bench connections`.

#[path = "../tests/common/accounts.rs"]
#[allow(dead_code)]
mod accounts;
#[path = "../tests/common/sshd.rs"]
#[allow(dead_code)]
mod sshd;

use futures::future::join_all;
use keyhaven::server::config::Settings;
use keyhaven::server::secrets::MasterKey;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::changes::Changes;
use keyhaven::server::services::connections::{self, ConnectionFields, Patch};
use keyhaven::server::services::hosts;
use keyhaven::server::services::keys::{self, NewKey};
use keyhaven::server::services::remote::SshGate;
use keyhaven::server::ssh::keys::KeySpec;
use keyhaven::server::ssh::scan;
use sea_orm::DatabaseConnection;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TARGETS: usize = 50;
const SILENT: usize = 20;

fn addresses(count: usize, first: usize) -> Vec<String> {
    (first..first + count).map(|n| format!("127.0.0.{n}")).collect()
}

fn ratio(ours: Duration, theirs: Duration) -> f64 {
    ours.as_secs_f64() / theirs.as_secs_f64()
}

/// A database with the files writer running on it, as in the server.
async fn database() -> (DatabaseConnection, Changes, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = keyhaven::server::db::connect(&url).await.expect("db");
    keyhaven::server::db::migrate(&db).await.expect("migrate");
    let changes = Changes::new();
    keyhaven::server::services::ssh_files::start(db.clone(), dir.path().to_path_buf(), changes.clone());
    (db, changes, dir)
}

/// Creates a connection per `host:port` and returns their ids.
async fn connections_for(
    db: &DatabaseConnection,
    changes: &Changes,
    hosts: &[String],
    port: u16,
    user: &str,
) -> Vec<i32> {
    let mut ids = Vec::new();
    for host in hosts {
        let fields = ConnectionFields {
            host: Patch::Set(host.clone()),
            username: Patch::Set(user.to_string()),
            port: Patch::Set(i64::from(port)),
            ..Default::default()
        };
        ids.push(connections::create(db, changes, &Actor::cli(), &fields).await.expect("connection").id);
    }
    ids
}

fn run_shell(script: &str) -> Duration {
    let started = Instant::now();
    let status = Command::new("sh").args(["-c", script]).stdout(Stdio::null()).status().expect("sh");
    assert!(status.success(), "{script}");
    started.elapsed()
}

async fn test_all(
    db: &DatabaseConnection,
    changes: &Changes,
    gate: &SshGate,
    master: &MasterKey,
    ids: &[i32],
) -> (Duration, usize) {
    let actor = Actor::cli();
    let started = Instant::now();
    let reports = join_all(ids.iter().map(|id| connections::test(db, changes, gate, master, &actor, *id))).await;
    let connected = reports.into_iter().filter(|r| r.as_ref().is_ok_and(|r| r.connected)).count();
    (started.elapsed(), connected)
}

#[tokio::main]
async fn main() {
    let hosts = addresses(TARGETS, 1);
    // sshd listens on at most 16 addresses: four servers share one port on 50 addresses.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let servers: Vec<sshd::TestSshd> = hosts
        .chunks(16)
        .map(|chunk| {
            let listen: Vec<&str> = chunk.iter().map(String::as_str).collect();
            sshd::TestSshd::start_with(Some(port), &listen, "MaxStartups 400\nMaxSessions 100\n").expect("run as root")
        })
        .collect();
    let server_of = |n: usize| &servers[n / 16];
    let work = tempfile::tempdir().expect("temp dir");
    let list = work.path().join("targets");
    std::fs::write(&list, hosts.join("\n") + "\n").expect("list");

    // Scanning: every host key type of every target.
    let started = Instant::now();
    let scans = join_all(hosts.iter().map(|h| scan::scan(h, port, Duration::from_secs(10)))).await;
    let ours = started.elapsed();
    let found: usize = scans.iter().map(|s| s.as_ref().map(Vec::len).unwrap_or(0)).sum();
    let keyscan =
        run_shell(&format!("ssh-keyscan -T 10 -t ed25519,ecdsa,rsa -p {port} -f {} 2>/dev/null", list.display()));
    println!(
        "scan {TARGETS} targets: keyhaven {:.0} ms ({found} keys), ssh-keyscan {:.0} ms, ratio {:.2}x (target <= 1.0)",
        ours.as_secs_f64() * 1e3,
        keyscan.as_secs_f64() * 1e3,
        ratio(ours, keyscan)
    );

    // Testing: the same key, trusted hosts, one login and session check per connection.
    let (db, changes, _db_dir) = database().await;
    let (master, _) = MasterKey::generate().expect("master key");
    let key = keys::generate(
        &db,
        &changes,
        &master,
        &Actor::cli(),
        NewKey::new("System SSH Key", "", true),
        KeySpec::Ed25519,
    )
    .await
    .expect("key");
    for server in &servers {
        server.authorize(sshd::TEST_USER, &key.public_key);
    }
    let trusted: String =
        hosts.iter().enumerate().map(|(n, h)| format!("[{h}]:{port} {}\n", server_of(n).host_keys()[0])).collect();
    hosts::import(&db, &changes, &Actor::cli(), &trusted, &[]).await.expect("trust");
    let ids = connections_for(&db, &changes, &hosts, port, sshd::TEST_USER).await;
    let gate = SshGate::new(&Settings::default());
    let (ours, connected) = test_all(&db, &changes, &gate, &master, &ids).await;
    assert_eq!(connected, TARGETS, "every connection tests connected");

    let key_file = work.path().join("id");
    let private = keys::open_private_key(&master, &key).expect("open key");
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&key_file).expect("key file");
    file.write_all(private.as_bytes()).expect("write key");
    let known_file = work.path().join("known_hosts");
    std::fs::write(&known_file, hosts::export(&hosts::list(&db).await.expect("list"))).expect("known");
    let ssh = ssh_command(&key_file, &known_file, port);
    let serial =
        run_shell(&format!("while read h; do {ssh} \"$h\" true </dev/null || exit 1; done < {}", list.display()));
    let parallel = run_shell(&format!("xargs -P 8 -I{{}} {ssh} {{}} true < {}", list.display()));
    println!(
        "test {TARGETS} connections: keyhaven {:.0} ms; ssh one after another {:.0} ms ({:.1}x faster, target >= 5); \
         ssh via xargs -P 8 {:.0} ms (ratio {:.2}x, target <= 1.0)",
        ours.as_secs_f64() * 1e3,
        serial.as_secs_f64() * 1e3,
        serial.as_secs_f64() / ours.as_secs_f64(),
        parallel.as_secs_f64() * 1e3,
        ratio(ours, parallel)
    );
    silent_hosts(&db, &changes, &gate, &master).await;
}

fn ssh_command(key: &Path, known: &Path, port: u16) -> String {
    format!(
        "ssh -o BatchMode=yes -o IdentitiesOnly=yes -i {} -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -p {port} -l {}",
        key.display(),
        known.display(),
        sshd::TEST_USER
    )
}

/// Hosts that accept TCP and never answer: all are tested at once, so together they take one
/// connect timeout, not twenty.
async fn silent_hosts(db: &DatabaseConnection, changes: &Changes, gate: &SshGate, master: &MasterKey) {
    let hosts = addresses(SILENT, 101);
    let mut listeners = Vec::new();
    let mut ids = Vec::new();
    for host in &hosts {
        let listener = tokio::net::TcpListener::bind((host.as_str(), 0)).await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let line = format!(
            "[{host}]:{port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
        );
        hosts::import(db, changes, &Actor::cli(), &line, &[]).await.expect("trust");
        ids.extend(connections_for(db, changes, std::slice::from_ref(host), port, "backup").await);
        listeners.push(listener);
    }
    let (took, connected) = test_all(db, changes, gate, master, &ids).await;
    assert_eq!(connected, 0);
    let limit = gate.timeouts.connect + Duration::from_secs(2);
    println!(
        "{SILENT} silent hosts tested together: {:.2} s (connect timeout {} s; target <= {} s) {}",
        took.as_secs_f64(),
        gate.timeouts.connect.as_secs(),
        limit.as_secs(),
        if took <= limit { "met" } else { "MISSED" }
    );
    drop(listeners);
}
