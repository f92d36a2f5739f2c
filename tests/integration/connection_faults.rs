//! Faults staged with an in-process SSH server: a changed host key (same or another type) is
//! refused before any password is sent, a wrong password is tried exactly once, and a host that
//! accepts TCP and then stays silent fails at the connect timeout.

use crate::common::fake_ssh::{FakeSshd, host_key, silent_host};
use crate::common::ssh_app::{SshApp, stage_summary};
use crate::common::test_settings;
use axum::http::Method;
use keyhaven::server::config::Settings;
use keyhaven::server::ssh::keys::KeySpec;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_changed_host_key_of_the_same_or_another_type_is_refused_before_any_password() {
    let s = SshApp::start(None).await;
    for other in [KeySpec::Ed25519, KeySpec::Ecdsa { bits: 256 }] {
        let (key, line) = host_key(KeySpec::Ed25519).await;
        let fake = FakeSshd::start(key, line).await;
        let (_, trusted_line) = host_key(other).await;
        s.trust(fake.port, &trusted_line).await;
        let id = s.connection(fake.port, "deploy", false, None).await;

        let (status, body) = s.action(id, "redeploy", Some(json!({"password": "secret pw"}))).await;
        assert_eq!((status, body["field"].as_str()), (409, Some("host")), "{body}");
        assert!(body["detail"].as_str().unwrap().contains("host key CHANGED"), "{body}");
        let (status, body) = s.action(id, "test", None).await;
        assert_eq!((status, body["success"].as_bool()), (200, Some(false)));
        assert_eq!(stage_summary(&body), ["tcp:ok", "host_key:failed", "authentication:skipped", "session:skipped"]);
        let error = body["error"].as_str().unwrap();
        assert_eq!(error.matches("SHA256:").count(), 2, "old and new fingerprints: {error}");
        assert!(fake.attempts().is_empty(), "no password was sent to a host with a changed key");
    }
}

#[tokio::test]
async fn a_wrong_password_is_tried_once_and_named() {
    let s = SshApp::start(None).await;
    let (key, line) = host_key(KeySpec::Ed25519).await;
    let fake = FakeSshd::start(key, line.clone()).await;
    s.trust(fake.port, &line).await;
    let id = s.connection(fake.port, "deploy", true, None).await;
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": "not it"}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")), "{body}");
    assert_eq!(body["detail"], "The host rejected the password.");
    assert_eq!(
        stage_summary(&body),
        ["tcp:ok", "host_key:ok", "authentication:failed", "install:skipped", "verify:skipped"]
    );
    assert_eq!(fake.attempts(), ["deploy"], "exactly one password attempt, never a retry loop");
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": ""}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")));
    assert_eq!(fake.attempts().len(), 1, "an empty password is refused before connecting");
}

/// A trusted connection to a host that accepts TCP and never speaks, with a 2 s connect timeout.
async fn silent_connection() -> (SshApp, i64, tokio::task::JoinHandle<()>) {
    let settings = Settings { ssh_connect_timeout_secs: 2, ..test_settings() };
    let s = SshApp::start(Some(settings)).await;
    let (port, task) = silent_host().await;
    let (_, line) = host_key(KeySpec::Ed25519).await;
    s.trust(port, &line).await;
    let id = s.connection(port, "deploy", true, None).await;
    (s, id, task)
}

#[tokio::test]
async fn a_silent_host_fails_at_the_connect_timeout() {
    let (s, id, _task) = silent_connection().await;
    let started = Instant::now();
    let (status, body) = s.action(id, "test", None).await;
    let took = started.elapsed();
    assert_eq!((status, body["success"].as_bool()), (200, Some(false)));
    assert_eq!(body["error"], "no answer within 2 s");
    assert_eq!(stage_summary(&body)[..2], ["tcp:ok", "host_key:failed"]);
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(3), "took {took:?}");
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": "x"}))).await;
    assert_eq!(status, 504, "a timeout is a gateway timeout: {body}");
}

#[tokio::test]
async fn quick_setup_stops_at_an_untrusted_host_and_leaves_nothing_behind_on_failure() {
    let s = SshApp::start(None).await;
    let (key, line) = host_key(KeySpec::Ed25519).await;
    let fake = FakeSshd::start(key, line.clone()).await;
    let body = json!({"name": "backup", "key_type": "ed25519", "host": "127.0.0.1", "username": "u1", "port": fake.port,
        "password": "not it"});
    let (status, answer) = s.call(Method::POST, "/api/ssh-keys/quick-setup", Some(body.clone())).await;
    assert_eq!(
        (status, answer["field"].as_str(), answer["host_key_status"].as_str()),
        (409, Some("host"), Some("new"))
    );
    assert_eq!(answer["keys"][0]["public_key"], line, "the host's keys, to confirm");
    assert!(answer["keys"][0]["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    s.trust(fake.port, &line).await;
    let (status, answer) = s.call(Method::POST, "/api/ssh-keys/quick-setup", Some(body)).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("password")), "{answer}");
    let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
    assert_eq!(keys.to_string().matches("\"fingerprint\"").count(), 1, "only the system key: {keys}");
    let (_, listed) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    assert_eq!(listed["connections"], json!([]), "no half-made connection");
    assert_eq!(fake.attempts().len(), 1);
}

#[tokio::test]
async fn progress_shows_each_finished_stage_while_a_test_waits_on_a_silent_host() {
    let (s, id, _task) = silent_connection().await;
    let progress_path = format!("/api/ssh-keys/connections/{id}/progress");
    let (status, before) = s.call(Method::GET, &progress_path, None).await;
    assert_eq!((status, before["running"].as_bool(), stage_summary(&before).len()), (200, Some(false), 0));

    let watch = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        s.call(Method::GET, &progress_path, None).await.1
    };
    let ((_, answer), during) = tokio::join!(s.action(id, "test", None), watch);
    assert_eq!(during["running"].as_bool(), Some(true), "{during}");
    assert_eq!(stage_summary(&during), ["tcp:ok"], "TCP is done, the handshake is what waits: {during}");

    let (_, after) = s.call(Method::GET, &progress_path, None).await;
    assert_eq!(after["running"].as_bool(), Some(false));
    assert_eq!(stage_summary(&after), stage_summary(&answer), "the last run stays readable as it ended");
    assert_eq!(stage_summary(&after)[..2], ["tcp:ok", "host_key:failed"]);
}
