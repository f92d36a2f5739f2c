//! Browsing a remote directory of 5,000 entries over SFTP (Borg UI's path picker), next to
//! OpenSSH's `sftp -b` listing the same directory (`ls -l`) in the same run; median of 5 each,
//! every run a fresh login. Target: ratio ≤ 1.0 (Keyhaven also checks every subdirectory for a
//! borg repository, which `ls` does not).
//!
//! Run as root (it starts sshd): `cargo bench --features ssr --bench remote_paths`.

#[path = "../tests/common/accounts.rs"]
#[allow(dead_code)]
mod accounts;
#[path = "../tests/common/sshd.rs"]
#[allow(dead_code)]
mod sshd;

use keyhaven::server::config::Settings;
use keyhaven::server::secrets::MasterKey;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::changes::Changes;
use keyhaven::server::services::connections::{self, ConnectionFields, Patch};
use keyhaven::server::services::hosts;
use keyhaven::server::services::keys::{self, NewKey};
use keyhaven::server::services::remote::SshGate;
use keyhaven::server::ssh::keys::KeySpec;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

const ENTRIES: usize = 5_000;
const RUNS: usize = 5;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn home_of(user: &str) -> String {
    let out = Command::new("getent").args(["passwd", user]).output().expect("getent");
    String::from_utf8_lossy(&out.stdout).trim().split(':').nth(5).expect("home").to_string()
}

#[tokio::main]
async fn main() {
    let server = sshd::TestSshd::start().expect("run as root");
    let home = home_of(sshd::TEST_USER);
    let dir = format!("{home}/keyhaven-bench-browse");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for n in 0..ENTRIES {
        if n % 10 == 0 {
            std::fs::create_dir(format!("{dir}/dir-{n:05}")).expect("subdir");
        } else {
            std::fs::write(format!("{dir}/file-{n:05}"), b"x").expect("file");
        }
    }
    let owner = format!("{0}:{0}", sshd::TEST_USER);
    assert!(Command::new("chown").args(["-R", &owner, &dir]).status().expect("chown").success());

    let work = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", work.path().display());
    let db = keyhaven::server::db::connect(&url).await.expect("db");
    keyhaven::server::db::migrate(&db).await.expect("migrate");
    let changes = Changes::new();
    keyhaven::server::services::ssh_files::start(db.clone(), work.path().to_path_buf(), changes.clone());
    let (master, _) = MasterKey::generate().expect("master key");
    let actor = Actor::cli();
    let key = keys::generate(&db, &changes, &master, &actor, NewKey::new("System SSH Key", "", true), KeySpec::Ed25519)
        .await
        .expect("key");
    server.authorize(sshd::TEST_USER, &key.public_key);
    let trusted = format!("[127.0.0.1]:{} {}\n", server.port, server.host_keys()[0]);
    hosts::import(&db, &changes, &actor, &trusted, &[]).await.expect("trust");
    let fields = ConnectionFields {
        host: Patch::Set("127.0.0.1".into()),
        username: Patch::Set(sshd::TEST_USER.into()),
        port: Patch::Set(i64::from(server.port)),
        use_sftp_mode: Patch::Set(true),
        ..Default::default()
    };
    let id = connections::create(&db, &changes, &actor, &fields).await.expect("connection").id;
    let gate = SshGate::new(&Settings::default());

    let mut ours = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let listing = connections::browse(&db, &gate, &master, id, &dir).await.expect("browse");
        ours.push(started.elapsed());
        assert_eq!(listing.items.len(), ENTRIES);
    }

    let key_file = work.path().join("id");
    let private = keys::open_private_key(&master, &key).expect("open key");
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&key_file).expect("key file");
    file.write_all(private.as_bytes()).expect("write key");
    let known = work.path().join("known_hosts");
    std::fs::write(&known, &trusted).expect("known hosts");
    let batch = work.path().join("batch");
    std::fs::write(&batch, format!("ls -l \"{dir}\"\n")).expect("batch");
    let mut theirs = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = Command::new("sftp")
            .args(["-q", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes"])
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", known.display()))
            .arg("-i")
            .arg(&key_file)
            .args(["-P", &server.port.to_string(), "-b"])
            .arg(&batch)
            .arg(format!("{}@127.0.0.1", sshd::TEST_USER))
            .output()
            .expect("sftp");
        theirs.push(started.elapsed());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines = String::from_utf8_lossy(&out.stdout).lines().count();
        assert!(lines >= ENTRIES, "sftp listed {lines} lines");
    }
    let (ours, theirs) = (median(ours), median(theirs));
    let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
    println!(
        "browse {ENTRIES} entries ({} directories checked for borg repositories): keyhaven {:.0} ms, sftp -b ls -l {:.0} ms, ratio {ratio:.2}x: {} the <= 1.0 target (and {} the < 1 s target)",
        ENTRIES / 10,
        ours.as_secs_f64() * 1e3,
        theirs.as_secs_f64() * 1e3,
        if ratio <= 1.0 { "meets" } else { "MISSES" },
        if ours < Duration::from_secs(1) { "meets" } else { "MISSES" }
    );
    let _ = std::fs::remove_dir_all(&dir);
}
