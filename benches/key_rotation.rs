//! Rotating the system key across 50 connections (50 accounts on one loopback sshd listening on 16
//! addresses — sshd's limit — as 16 hosts), by Keyhaven's rotation job as the server runs it (default SSH slots),
//! next to the usual manual way scripted in the same run, per host: `ssh-copy-id -i new` logged in
//! with the old key, `ssh -i new … true` to prove it, `ssh -i new … sed -i` to drop the old line —
//! once one host after the other (target: Keyhaven ≥ 5× faster) and once through `xargs -P 8`
//! (target: ratio ≤ 1.0). Each starts from the same state: every account's authorized_keys holds
//! the current key and two other lines; afterwards every file is checked (new key in, old key out,
//! the other lines intact).
//!
//! Run as root (it starts sshd and adds users): `cargo bench --features ssr --bench key_rotation`.

#[path = "../tests/common/accounts.rs"]
#[allow(dead_code)]
mod accounts;
#[path = "../tests/common/sshd.rs"]
#[allow(dead_code)]
mod sshd;

use keyhaven::model::rotation_state;
use keyhaven::server::config::Settings;
use keyhaven::server::secrets::MasterKey;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::changes::Changes;
use keyhaven::server::services::connections::{self, ConnectionFields, Patch};
use keyhaven::server::services::keys::{self, NewKey};
use keyhaven::server::services::remote::SshGate;
use keyhaven::server::services::rotation::{self, Rotator, StartRotation};
use keyhaven::server::services::{hosts, ssh_files};
use keyhaven::server::ssh::keys::KeySpec;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HOSTS: usize = 50;
const ADDRESSES: usize = 16;
/// Lines every account keeps through each rotation, byte for byte.
const KEPT: &str = "# backups: do not edit by hand\nrestrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N alice\n";

/// The blob of an OpenSSH public key line.
fn blob(line: &str) -> &str {
    line.split_whitespace().nth(1).expect("key blob")
}

/// Every account's file as each rotation starts: the current key, then the lines kept.
fn prepare(accounts: &[accounts::TestAccount], current: &str) {
    for account in accounts {
        account.write_authorized_keys(format!("{}\n{KEPT}", current.trim()).as_bytes());
    }
}

/// Every account lets in `new`, no longer `old`, and kept the other lines.
fn verify(accounts: &[accounts::TestAccount], old: &str, new: &str, who: &str) {
    for account in accounts {
        let text = String::from_utf8(account.authorized_keys().expect("file")).expect("utf-8");
        assert!(text.contains(blob(new)), "{who}: new key missing for {}:\n{text}", account.name);
        assert!(!text.contains(blob(old)), "{who}: old key left for {}:\n{text}", account.name);
        assert!(text.contains(KEPT), "{who}: other lines changed for {}:\n{text}", account.name);
    }
}

fn write_private(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).expect("key file");
    file.write_all(text.as_bytes()).expect("write key");
}

/// The manual way, `parallel` hosts at a time: a new key by ssh-keygen, then per host ssh-copy-id
/// (logged in with the old key), a login with the new key, and sed to drop the old line.
fn scripted(work: &Path, targets: &Path, old_private: &str, old_public: &str, parallel: usize) -> (Duration, String) {
    let dir = tempfile::tempdir_in(work).expect("dir");
    let (old, new, known) = (dir.path().join("old"), dir.path().join("new"), work.join("known_hosts"));
    write_private(&old, old_private);
    let ssh_opts = format!(
        "-o BatchMode=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes",
        known.display()
    );
    // `-f`: ssh-copy-id's own probe (a login with the new key first) is skipped, which only makes
    // the script faster.
    let per_host = format!(
        "ssh-copy-id -f -i {new}.pub {opts} -o IdentityFile={old} -p \"$2\" \"$1@$0\" >/dev/null 2>&1 && \
         ssh {opts} -i {new} -p \"$2\" \"$1@$0\" true && \
         ssh {opts} -i {new} -p \"$2\" \"$1@$0\" \"sed -i '\\\\#{blob}#d' ~/.ssh/authorized_keys\"",
        new = new.display(),
        old = old.display(),
        opts = ssh_opts,
        blob = blob(old_public),
    );
    let script = format!(
        "ssh-keygen -q -t ed25519 -N '' -C manual -f {new} && xargs -P {parallel} -L 1 sh -c '{}' < {}",
        per_host.replace('\'', "'\\''"),
        targets.display(),
        new = new.display()
    );
    let started = Instant::now();
    // ssh-copy-id keeps its temporary files under ~/.ssh: a home of the script's own.
    std::fs::create_dir(dir.path().join(".ssh")).expect("~/.ssh");
    let status =
        Command::new("sh").args(["-c", &script]).env("HOME", dir.path()).stdout(Stdio::null()).status().expect("sh");
    let took = started.elapsed();
    assert!(status.success(), "the script failed ({status})");
    let public = std::fs::read_to_string(format!("{}.pub", new.display())).expect("new.pub");
    std::fs::copy(&new, work.join(format!("after-{parallel}"))).expect("keep the new key");
    (took, public)
}

async fn add_connection(db: &sea_orm::DatabaseConnection, changes: &Changes, host: &str, port: u16, user: &str) {
    let fields = ConnectionFields {
        host: Patch::Set(host.to_string()),
        username: Patch::Set(user.to_string()),
        port: Patch::Set(i64::from(port)),
        ..Default::default()
    };
    connections::create(db, changes, &Actor::cli(), &fields).await.expect("connection");
}

#[tokio::main]
async fn main() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let addresses: Vec<String> = (1..=ADDRESSES).map(|n| format!("127.0.0.{n}")).collect();
    let listen: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let sshd = sshd::TestSshd::start_with(Some(port), &listen, "MaxStartups 200\n").expect("run as root");
    let accounts: Vec<accounts::TestAccount> = (0..HOSTS).map(|_| accounts::TestAccount::shell()).collect();

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/keyhaven.db?mode=rwc", dir.path().display());
    let db = keyhaven::server::db::connect(&url).await.expect("db");
    keyhaven::server::db::migrate(&db).await.expect("migrate");
    let changes = Changes::new();
    ssh_files::start(db.clone(), dir.path().to_path_buf(), changes.clone());
    let (master, _) = MasterKey::generate().expect("master key");
    let master = Arc::new(master);
    let system = NewKey::new("System SSH Key", "", true);
    let key = keys::generate(&db, &changes, &master, &Actor::cli(), system, KeySpec::Ed25519).await.expect("key");
    let host_key = sshd.host_keys()[0].clone();
    let trusted: String = addresses.iter().map(|h| format!("[{h}]:{port} {host_key}\n")).collect();
    hosts::import(&db, &changes, &Actor::cli(), &trusted, &[]).await.expect("trust");
    let mut targets = String::new();
    for (n, account) in accounts.iter().enumerate() {
        let host = &addresses[n % ADDRESSES];
        add_connection(&db, &changes, host, port, &account.name).await;
        targets.push_str(&format!("{host} {} {port}\n", account.name));
    }
    prepare(&accounts, &key.public_key);

    // Keyhaven: from the request to the job finished (the new key generated, every host moved).
    let rotator =
        Rotator { db: db.clone(), changes, gate: Arc::new(SshGate::new(&Settings::default())), master: master.clone() };
    let request = StartRotation { dry_run: false, key_type: None, bits: None };
    let started = Instant::now();
    let job = rotation::start(&rotator, &Actor::cli(), key.id, request).await.expect("start");
    let finished = loop {
        let view = rotation::view(&db, job.id).await.expect("view");
        if view.state != rotation_state::RUNNING {
            break view;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "the rotation did not finish in 10 minutes");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let ours = started.elapsed();
    assert_eq!(finished.state, rotation_state::FINISHED, "{finished:?}");
    let successor = keys::system_key(&db).await.expect("keys").expect("the successor is the system key");
    verify(&accounts, &key.public_key, &successor.public_key, "keyhaven");

    // The script, from the key Keyhaven left (so each starts with one current key per host).
    let work = tempfile::tempdir().expect("work dir");
    let known = hosts::export(&hosts::list(&db).await.expect("hosts"));
    std::fs::write(work.path().join("known_hosts"), known).expect("known_hosts");
    std::fs::write(work.path().join("targets"), &targets).expect("targets");
    let targets = work.path().join("targets");
    let private = keys::open_private_key(&master, &successor).expect("open key");
    let (sequential, manual_key) = scripted(work.path(), &targets, &private, &successor.public_key, 1);
    verify(&accounts, &successor.public_key, &manual_key, "script, one host at a time");
    let manual_private = std::fs::read_to_string(work.path().join("after-1")).expect("manual key");
    let (parallel, parallel_key) = scripted(work.path(), &targets, &manual_private, &manual_key, 8);
    verify(&accounts, &manual_key, &parallel_key, "script, xargs -P 8");

    println!(
        "key rotation across {HOSTS} hosts: keyhaven {:.2} s; the manual script one host at a time {:.2} s \
         (keyhaven {:.1}x faster, target >= 5x); with xargs -P 8 {:.2} s (ratio {:.2}x, target <= 1.0)",
        ours.as_secs_f64(),
        sequential.as_secs_f64(),
        sequential.as_secs_f64() / ours.as_secs_f64(),
        parallel.as_secs_f64(),
        ours.as_secs_f64() / parallel.as_secs_f64()
    );
}
