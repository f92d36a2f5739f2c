//! One full round of scheduled checks: 1,000 connections, 950 on one loopback sshd (listening
//! on 16 addresses, as 16 hosts) and 50 silent hosts that accept TCP and never answer, all due
//! at once (as after downtime), with the default 32 SSH slots. Prints the round time (target
//! ≤ 60 s) next to the same logins by `ssh -o BatchMode=yes … true` through `xargs -P 32` in the
//! same run (target ≤ 1.0×; a scheduled check does more: the test's session check and the
//! storage), and the growth of this process's memory during the round (target ≤ 50 MB).
//!
//! Run as root (it starts sshd): `cargo bench --features ssr --bench scheduled_round`.

#[path = "../tests/common/accounts.rs"]
#[allow(dead_code)]
mod accounts;
#[path = "../tests/common/sshd.rs"]
#[allow(dead_code)]
mod sshd;

use chrono::Utc;
use keyhaven::server::config::Settings;
use keyhaven::server::entities::check_schedule;
use keyhaven::server::secrets::MasterKey;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::changes::Changes;
use keyhaven::server::services::connections::{self, ConnectionFields, Patch};
use keyhaven::server::services::health::{Scheduler, start};
use keyhaven::server::services::hosts;
use keyhaven::server::services::keys::{self, NewKey};
use keyhaven::server::services::remote::SshGate;
use keyhaven::server::ssh::keys::KeySpec;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const ON_SSHD: usize = 950;
const SILENT: usize = 50;
const ADDRESSES: usize = 16;

/// This process's resident memory, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

async fn connection(db: &DatabaseConnection, changes: &Changes, host: &str, port: u16, user: &str) -> i32 {
    let fields = ConnectionFields {
        host: Patch::Set(host.to_string()),
        username: Patch::Set(user.to_string()),
        port: Patch::Set(i64::from(port)),
        ..Default::default()
    };
    connections::create(db, changes, &Actor::cli(), &fields).await.expect("connection").id
}

#[tokio::main]
async fn main() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let addresses: Vec<String> = (1..=ADDRESSES).map(|n| format!("127.0.0.{n}")).collect();
    let listen: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let server =
        sshd::TestSshd::start_with(Some(port), &listen, "MaxStartups 400\nMaxSessions 100\n").expect("run as root");

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = keyhaven::server::db::connect(&url).await.expect("db");
    keyhaven::server::db::migrate(&db).await.expect("migrate");
    let changes = Changes::new();
    keyhaven::server::services::ssh_files::start(db.clone(), dir.path().to_path_buf(), changes.clone());
    let (master, _) = MasterKey::generate().expect("master key");
    let master = Arc::new(master);
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
    server.authorize(sshd::TEST_USER, &key.public_key);
    let host_key = server.host_keys()[0].clone();
    let trusted: String = addresses.iter().map(|h| format!("[{h}]:{port} {host_key}\n")).collect();
    hosts::import(&db, &changes, &Actor::cli(), &trusted, &[]).await.expect("trust");

    let mut targets = Vec::new();
    for n in 0..ON_SSHD {
        let host = &addresses[n % ADDRESSES];
        connection(&db, &changes, host, port, sshd::TEST_USER).await;
        targets.push(format!("{host} {port}"));
    }
    let mut silent = Vec::new();
    for n in 1..=SILENT {
        let host = format!("127.0.1.{n}");
        let listener = tokio::net::TcpListener::bind((host.as_str(), 0)).await.expect("bind");
        let silent_port = listener.local_addr().expect("addr").port();
        let line = format!("[{host}]:{silent_port} {host_key}\n");
        hosts::import(&db, &changes, &Actor::cli(), &line, &[]).await.expect("trust");
        connection(&db, &changes, &host, silent_port, "backup").await;
        targets.push(format!("{host} {silent_port}"));
        silent.push(listener);
    }
    let total = ON_SSHD + SILENT;

    // Everything due now, as after downtime.
    let now = Utc::now();
    let ids: Vec<i32> = keyhaven::server::entities::ssh_connection::Entity::find()
        .all(&db)
        .await
        .expect("ids")
        .iter()
        .map(|c| c.id)
        .collect();
    for chunk in ids.chunks(500) {
        let rows = chunk.iter().map(|&id| check_schedule::ActiveModel {
            connection_id: Set(id),
            interval_secs: Set(None),
            next_check_at: Set(now),
            running_since: Set(None),
            last_checked_at: Set(None),
        });
        check_schedule::Entity::insert_many(rows).exec(&db).await.expect("schedule");
    }

    let settings = Settings::default();
    let gate = Arc::new(SshGate::new(&settings));
    let idle = rss();
    let peak = Arc::new(AtomicU64::new(idle));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let started = Instant::now();
    let running = start(Scheduler {
        db: db.clone(),
        changes: changes.clone(),
        gate,
        master: master.clone(),
        every: chrono::Duration::hours(1),
        failures_to_alert: 2,
    })
    .expect("scheduler");
    loop {
        let done = check_schedule::Entity::find()
            .filter(check_schedule::Column::LastCheckedAt.gte(now))
            .count(&db)
            .await
            .expect("count");
        if done as usize >= total {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the round did not finish in 10 minutes ({done} of {total})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ours = started.elapsed();
    running.abort();
    sampler.abort();
    let grew = peak.load(Ordering::Relaxed).saturating_sub(idle);

    // The same logins by OpenSSH, 32 at a time (a silent host fails after ConnectTimeout, 10 s).
    let work = tempfile::tempdir().expect("temp dir");
    let key_file = work.path().join("id");
    let private = keys::open_private_key(&master, &key).expect("open key");
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&key_file).expect("key file");
    file.write_all(private.as_bytes()).expect("write key");
    let list = work.path().join("targets");
    std::fs::write(&list, targets.join("\n") + "\n").expect("list");
    let known = work.path().join("known_hosts");
    std::fs::write(&known, hosts::export(&hosts::list(&db).await.expect("list"))).expect("known");
    let ssh = format!(
        "ssh -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout={} -i {} -o UserKnownHostsFile={} \
         -o StrictHostKeyChecking=yes -l {}",
        settings.ssh_connect_timeout_secs,
        key_file.display(),
        known.display(),
        sshd::TEST_USER
    );
    let script = format!("xargs -P 32 -L 1 sh -c '{ssh} -p \"$1\" \"$0\" true' < {}", list.display());
    let reference = Instant::now();
    // Silent hosts make some logins fail: the time is what counts.
    let _ = Command::new("sh").args(["-c", &script]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    let theirs = reference.elapsed();
    drop(silent);
    println!(
        "scheduled round of {total} connections ({SILENT} silent): keyhaven {:.1} s (target <= 60 s), \
         ssh via xargs -P 32 {:.1} s, ratio {:.2}x (target <= 1.0); memory grew {:.1} MB (target <= 50)",
        ours.as_secs_f64(),
        theirs.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64(),
        grew as f64 / 1e6
    );
}
