//! Alerts from scheduled checks against the real sshd (checks every second, failing after 2 in a
//! row): a healthy connection raises nothing; a removed key raises one "failing"
//! (`auth_rejected`) however many checks fail, and one "recovered" when the key is back; a host
//! reinstalled on the same port (a new host key) raises "host_key_changed" at once.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use keyhaven::server::services::health::{Scheduler, start};
use serde_json::Value;
use std::time::{Duration, Instant};

async fn alerts(s: &SshApp) -> Vec<Value> {
    let (status, body) = s.call(Method::GET, "/api/alerts?per_page=200", None).await;
    assert_eq!(status, 200, "{body}");
    let mut alerts = body["alerts"].as_array().unwrap().clone();
    alerts.reverse();
    alerts
}

fn kinds(alerts: &[Value]) -> Vec<String> {
    alerts.iter().map(|a| a["kind"].as_str().unwrap().to_string()).collect()
}

async fn scheduled_count(s: &SshApp, id: i64) -> usize {
    let (_, body) = s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/checks?per_page=200"), None).await;
    body["checks"].as_array().unwrap().iter().filter(|c| c["trigger"] == "scheduled").count()
}

/// Waits up to 30 s for `done` over the alerts, oldest first.
async fn wait_for(s: &SshApp, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = alerts(s).await;
        if done(&found) {
            return found;
        }
        assert!(Instant::now() < deadline, "waited 30 s for {what}; alerts: {found:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn one_alert_per_change_of_state_failing_recovered_and_a_changed_host_key_at_once() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    let state = &s.app.state;
    let running = start(Scheduler {
        db: state.db.clone(),
        changes: state.changes.clone(),
        gate: state.ssh.clone(),
        master: state.master_key.clone(),
        every: chrono::Duration::seconds(1),
        failures_to_alert: 2,
        inventory_every: chrono::Duration::zero(),
    })
    .unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    while scheduled_count(&s, id).await < 3 {
        assert!(Instant::now() < deadline, "three healthy checks");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(kinds(&alerts(&s).await), Vec::<String>::new(), "healthy checks raise nothing");

    sshd.authorize(
        &account.name,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJhN4vEhcVYB1mN1u0G6u5Cmz2QfAh3B4v0Vn6y1d0xN other",
    );
    let failing = wait_for(&s, "failing", |a| !a.is_empty()).await;
    let checks_then = scheduled_count(&s, id).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while scheduled_count(&s, id).await < checks_then + 2 {
        assert!(Instant::now() < deadline, "two more failed checks");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let still = alerts(&s).await;
    assert_eq!(kinds(&still), ["failing"], "one alert for the outage, not one per check");
    assert_eq!(
        (failing[0]["reason"].as_str(), failing[0]["connection_id"].as_i64()),
        (Some("auth_rejected"), Some(id))
    );
    let message = failing[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{}@127.0.0.1:{}", account.name, sshd.port)) && message.contains("2 checks in a row"),
        "{message}"
    );

    sshd.authorize(&account.name, &s.system_key);
    let recovered = wait_for(&s, "recovered", |a| a.len() >= 2).await;
    assert_eq!(kinds(&recovered), ["failing", "recovered"]);

    let port = sshd.port;
    drop(sshd);
    let reinstalled = TestSshd::start_with(Some(port), &["127.0.0.1"], "").expect("the same port again");
    reinstalled.authorize(&account.name, &s.system_key);
    let changed = wait_for(&s, "host_key_changed", |a| a.iter().any(|a| a["kind"] == "host_key_changed")).await;
    let last = changed.last().unwrap();
    assert_eq!((last["kind"].as_str(), last["reason"].as_str()), (Some("host_key_changed"), Some("host_key_changed")));
    assert_eq!(kinds(&changed).iter().filter(|k| *k == "host_key_changed").count(), 1);
    running.abort();

    let (status, body) = s.call(Method::GET, "/api/alerts?per_page=0", None).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("per_page")));
}
