//! The SSH client against a real sshd: host key checked before anything about us is sent, key
//! authentication from memory, commands with stdin and exit status; each failure told apart.

use crate::common::sshd::{TEST_USER, TestSshd};
use keyhaven::server::ssh::client::{self, Timeouts};
use keyhaven::server::ssh::error::SshError;
use keyhaven::server::ssh::keys::{self, KeySpec};
use std::time::{Duration, Instant};

async fn key_pair(spec: KeySpec) -> (russh::keys::ssh_key::PrivateKey, String) {
    let material = keys::generate(spec, "client-test").await.unwrap();
    (keys::private_from_openssh(&material.private_openssh).unwrap(), material.public_openssh)
}

#[tokio::test]
async fn a_trusted_host_runs_commands_for_an_installed_key() {
    let Some(sshd) = TestSshd::start() else { return };
    let (private, public) = key_pair(KeySpec::Ed25519).await;
    sshd.authorize(TEST_USER, &public);
    let mut session = client::connect("127.0.0.1", sshd.port, &sshd.host_keys(), Timeouts::default()).await.unwrap();
    session.authenticate_key(TEST_USER, private).await.unwrap();
    let out = session.exec("echo hello; echo oops >&2; exit 3", None).await.unwrap();
    assert_eq!(
        (out.stdout.as_slice(), out.stderr.as_slice(), out.exit_status),
        (&b"hello\n"[..], &b"oops\n"[..], Some(3))
    );
    let echoed = session.exec("cat", Some(b"line one\nline two\n")).await.unwrap();
    assert_eq!(echoed.stdout, b"line one\nline two\n");
    assert_eq!(echoed.exit_status, Some(0));
    session.close().await;

    // A key restricted to one command still logs in; whatever we ask, the forced command runs.
    let (private, public) = key_pair(KeySpec::Rsa { bits: 2048 }).await;
    sshd.authorize(TEST_USER, &format!("restrict,command=\"echo forced\" {public}"));
    let mut session = client::connect("127.0.0.1", sshd.port, &sshd.host_keys(), Timeouts::default()).await.unwrap();
    session.authenticate_key(TEST_USER, private).await.unwrap();
    assert_eq!(session.exec("pwd", None).await.unwrap().stdout, b"forced\n");
}

#[tokio::test]
async fn untrusted_and_changed_host_keys_are_refused_before_authentication() {
    let Some(sshd) = TestSshd::start() else { return };
    let (private, public) = key_pair(KeySpec::Ed25519).await;
    sshd.authorize(TEST_USER, &public);
    let host_fingerprints: Vec<String> = sshd
        .host_keys()
        .iter()
        .map(|line| {
            let file = sshd.path("fp.pub");
            std::fs::write(&file, format!("{line}\n")).unwrap();
            crate::common::openssh::fingerprint(&file, "sha256")
        })
        .collect();

    let unknown = client::connect("127.0.0.1", sshd.port, &[], Timeouts::default()).await.err().unwrap();
    let SshError::HostKeyUnknown { offered } = &unknown else { panic!("{unknown:?}") };
    assert!(host_fingerprints.contains(offered), "{offered}");
    assert!(unknown.to_string().starts_with("host key not trusted"));

    for stranger_spec in [KeySpec::Ed25519, KeySpec::Rsa { bits: 2048 }] {
        let (_, stranger) = key_pair(stranger_spec).await;
        let changed = client::connect("127.0.0.1", sshd.port, &[stranger], Timeouts::default()).await.err().unwrap();
        let SshError::HostKeyChanged { offered, .. } = &changed else { panic!("{changed:?}") };
        assert!(host_fingerprints.contains(offered));
        assert!(changed.to_string().contains("host key CHANGED"));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(!sshd.log().contains(TEST_USER), "sshd saw no login attempt: {}", sshd.log());

    let (wrong, _) = key_pair(KeySpec::Ed25519).await;
    let mut session = client::connect("127.0.0.1", sshd.port, &sshd.host_keys(), Timeouts::default()).await.unwrap();
    assert_eq!(session.authenticate_key(TEST_USER, wrong).await.err(), Some(SshError::AuthRejected));
    drop(private);
}

#[tokio::test]
async fn a_host_that_never_answers_fails_at_the_connect_timeout() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let timeouts = Timeouts { connect: Duration::from_secs(1), ..Timeouts::default() };
    let started = Instant::now();
    let err = client::connect("127.0.0.1", port, &[], timeouts).await.err().unwrap();
    assert_eq!(err, SshError::Timeout { seconds: 1 });
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    holder.abort();
}
