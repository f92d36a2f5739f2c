//! The inventory on the health schedule, against the real sshd (checks and reads every second): a
//! key someone else adds to, or removes from, a healthy connection's authorized_keys is one
//! `authorized_keys_changed` alert naming its fingerprint; a key of Keyhaven's own appearing there
//! (what a deploy or a rotation does) raises nothing.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use keyhaven::server::services::health::{Scheduler, start};
use serde_json::json;
use std::time::{Duration, Instant};

async fn drift_alerts(s: &SshApp) -> Vec<String> {
    let (_, body) = s.call(Method::GET, "/api/alerts?per_page=200", None).await;
    let mut found: Vec<String> = body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "authorized_keys_changed")
        .map(|a| a["message"].as_str().unwrap().to_string())
        .collect();
    found.reverse();
    found
}

/// The `read_at` of the newest read, once there is one.
async fn read_at(s: &SshApp, id: i64) -> Option<String> {
    let (status, body) = s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/authorized-keys"), None).await;
    (status == 200).then(|| body["read_at"].as_str().unwrap().to_string())
}

/// Waits up to 30 s for two more scheduled reads (so one has seen the file as it is now).
async fn two_more_reads(s: &SshApp, id: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    for _ in 0..2 {
        let before = read_at(s, id).await;
        while read_at(s, id).await == before {
            assert!(Instant::now() < deadline, "a scheduled read of authorized_keys");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn fresh_key(comment: &str) -> (String, String) {
    let spec = keyhaven::server::ssh::keys::KeySpec::parse("ed25519", None).unwrap();
    let key = keyhaven::server::ssh::keys::generate(spec, comment).await.unwrap();
    (key.public_openssh.trim().to_string(), key.fingerprint_sha256)
}

#[tokio::test]
async fn a_key_someone_else_adds_or_removes_is_one_alert_keyhavens_own_are_not() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let base = format!("{}\n", s.system_key.trim());
    account.write_authorized_keys(base.as_bytes());
    let id = s.connection(sshd.port, &account.name, false, None).await;
    let state = &s.app.state;
    let _running = start(Scheduler {
        db: state.db.clone(),
        changes: state.changes.clone(),
        gate: state.ssh.clone(),
        master: state.master_key.clone(),
        every: chrono::Duration::seconds(1),
        failures_to_alert: 2,
        inventory_every: chrono::Duration::seconds(1),
    })
    .unwrap();
    two_more_reads(&s, id).await;
    assert!(drift_alerts(&s).await.is_empty(), "an unchanged file raises nothing");

    let (mallory, mallory_fp) = fresh_key("mallory@somewhere").await;
    account.write_authorized_keys(format!("{base}{mallory}\n").as_bytes());
    let deadline = Instant::now() + Duration::from_secs(30);
    while drift_alerts(&s).await.is_empty() {
        assert!(Instant::now() < deadline, "an alert for the added key");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alerts = drift_alerts(&s).await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].contains("added ssh-ed25519") && alerts[0].contains(&mallory_fp), "{alerts:?}");
    assert!(alerts[0].contains(&account.name) && alerts[0].contains("(unknown)"), "{alerts:?}");

    // A key of Keyhaven's own appearing is what a deploy or rotation does: no alert.
    let (status, named) = s.call(Method::POST, "/api/ssh-keys", Some(json!({"name": "backup"}))).await;
    assert_eq!(status, 201, "{named}");
    let ours = named["ssh_key"]["public_key"].as_str().unwrap().trim().to_string();
    account.write_authorized_keys(format!("{base}{mallory}\n{ours}\n").as_bytes());
    two_more_reads(&s, id).await;
    assert_eq!(drift_alerts(&s).await.len(), 1, "Keyhaven's own key raises nothing");

    account.write_authorized_keys(format!("{base}{ours}\n").as_bytes());
    let deadline = Instant::now() + Duration::from_secs(30);
    while drift_alerts(&s).await.len() < 2 {
        assert!(Instant::now() < deadline, "an alert for the removed key");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let alerts = drift_alerts(&s).await;
    assert!(alerts[1].contains("removed ssh-ed25519") && alerts[1].contains(&mallory_fp), "{alerts:?}");
    assert!(!alerts[1].contains("added"), "{alerts:?}");
    two_more_reads(&s, id).await;
    assert_eq!(drift_alerts(&s).await.len(), 2, "one alert per change, not per read");
}
