//! Host key scanning against a real sshd: every key it holds, the same ones `ssh-keyscan` reports,
//! and each kind of failure told apart (refused, silent host, unknown name) within its timeout.

use crate::common::sshd::TestSshd;
use keyhaven::server::ssh::error::SshError;
use keyhaven::server::ssh::scan::scan;
use std::process::Command;
use std::time::{Duration, Instant};

#[tokio::test]
async fn scanning_finds_every_host_key_that_ssh_keyscan_finds() {
    let Some(sshd) = TestSshd::start() else { return };
    let found = scan("127.0.0.1", sshd.port, Duration::from_secs(10)).await.expect("scan");
    let mut ours: Vec<String> = found.iter().map(|k| k.public_key.clone()).collect();
    ours.sort();
    assert_eq!(ours, sshd.host_keys(), "{}", sshd.log());
    let out = Command::new("ssh-keyscan").args(["-p", &sshd.port.to_string(), "127.0.0.1"]).output().unwrap();
    let mut theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().skip(1).take(2).collect::<Vec<_>>().join(" "))
        .collect();
    theirs.sort();
    assert_eq!(ours, theirs);
    for key in &found {
        let file = sshd.path("scanned.pub");
        std::fs::write(&file, format!("{}\n", key.public_key)).unwrap();
        assert_eq!(key.fingerprint, crate::common::openssh::fingerprint(&file, "sha256"));
        assert!(key.public_key.starts_with(&key.key_type));
    }
}

#[tokio::test]
async fn a_closed_port_a_silent_host_and_an_unknown_name_fail_clearly_and_in_time() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = scan("127.0.0.1", closed, Duration::from_secs(5)).await;
    assert_eq!(refused, Err(SshError::Refused));

    // Accepts TCP, then never says a word: the scan must give up at the timeout, not later.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let timed_out = scan("127.0.0.1", port, Duration::from_secs(1)).await;
    assert_eq!(timed_out, Err(SshError::Timeout { seconds: 1 }));
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    holder.abort();

    let unknown = scan("no-such-host.invalid", 22, Duration::from_secs(5)).await;
    assert!(matches!(unknown, Err(SshError::Dns(ref name)) if name == "no-such-host.invalid"), "{unknown:?}");
}
