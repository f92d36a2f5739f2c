//! Borg UI's "add a remote machine" calls against a real sshd: `POST /api/ssh-keys/{key_id}/deploy`
//! and `…/test-connection` find or create the connection, answer 200 with `success` either way,
//! and reach a new host only through a pinned fingerprint or `host_key_policy = accept-new`.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use crate::common::test_settings;
use axum::http::Method;
use keyhaven::model::HostKeyPolicy;
use keyhaven::server::config::Settings;
use serde_json::{Value, json};

async fn system_key_id(s: &SshApp) -> i64 {
    let (_, body) = s.call(Method::GET, "/api/ssh-keys/system-key", None).await;
    body["ssh_key"]["id"].as_i64().unwrap()
}

async fn connection_count(s: &SshApp) -> usize {
    let (_, body) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    body["connections"].as_array().unwrap().len()
}

async fn audit_details(s: &SshApp, action: &str) -> Vec<String> {
    let (_, body) = s.call(Method::GET, &format!("/api/audit?action={action}"), None).await;
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| e["detail"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn attempts(sshd: &TestSshd, user: &str) -> usize {
    let log = sshd.log();
    log.matches(&format!("Accepted password for {user} ")).count()
        + log.matches(&format!("Failed password for {user} ")).count()
}

fn body(port: u16, account: &TestAccount, extra: Value) -> Value {
    let mut body = json!({"host": "127.0.0.1", "port": port, "username": account.name, "use_sftp_mode": false,
        "default_path": "", "ssh_path_prefix": "", "mount_point": ""});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

#[tokio::test]
async fn confirm_policy_refuses_a_new_host_until_a_fingerprint_is_pinned() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let key = system_key_id(&s).await;
    let deploy = format!("/api/ssh-keys/{key}/deploy");
    let test = format!("/api/ssh-keys/{key}/test-connection");

    let (status, refused) = s.call(Method::POST, &test, Some(body(sshd.port, &account, json!({})))).await;
    assert_eq!(
        (status, refused["field"].as_str(), refused["host_key_status"].as_str()),
        (409, Some("host"), Some("new"))
    );
    let fingerprints: Vec<&str> =
        refused["keys"].as_array().unwrap().iter().map(|k| k["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(fingerprints.len(), 3, "every key the host offers, to check one: {refused}");
    let wrong = json!({"password": account.password, "host_key_fingerprint": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    let (status, answer) = s.call(Method::POST, &deploy, Some(body(sshd.port, &account, wrong))).await;
    assert_eq!((status, answer["field"].as_str()), (409, Some("host")), "{answer}");
    assert!(answer["detail"].as_str().unwrap().contains("host_key_fingerprint"), "{answer}");
    assert_eq!(connection_count(&s).await, 0, "nothing is saved for a host that is not trusted");
    assert_eq!(attempts(&sshd, &account.name), 0, "no password reaches an untrusted host");

    // Pinned, but the password is wrong: 200 with success false, and the row says why.
    let pin = fingerprints[0].to_string();
    let bad = json!({"password": "not the password", "host_key_fingerprint": pin});
    let (status, answer) = s.call(Method::POST, &deploy, Some(body(sshd.port, &account, bad))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(false)), "{answer}");
    assert_eq!(answer["connection"]["status"], "failed");
    assert!(answer["connection"]["error_message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    let id = answer["connection"]["id"].as_i64().unwrap();
    assert_eq!(audit_details(&s, "known_host.pinned").await.len(), 1, "the pinned key is audited");
    assert!(audit_details(&s, "known_host.pinned").await[0].contains(&pin));

    let good = json!({"password": account.password, "host_key_fingerprint": pin, "default_path": "/srv/backup"});
    let (status, answer) = s.call(Method::POST, &deploy, Some(body(sshd.port, &account, good))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(true)), "{answer}");
    assert_eq!(answer["message"], "SSH key deployed successfully");
    assert_eq!(answer["connection"]["id"], id, "the same connection, found again");
    assert_eq!(answer["connection"]["status"], "connected");
    assert_eq!(answer["connection"]["default_path"], "/srv/backup");
    assert_eq!(answer["connection"]["ssh_key_id"], key);
    let installed = String::from_utf8(account.authorized_keys().unwrap()).unwrap();
    assert_eq!(installed.matches(s.system_key.as_str()).count(), 1, "{installed}");

    let (status, answer) = s.call(Method::POST, &test, Some(body(sshd.port, &account, json!({})))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(true)), "{answer}");
    assert_eq!(
        (answer["connection"]["id"].as_i64(), answer["connection"]["status"].as_str()),
        (Some(id), Some("connected"))
    );
    assert_eq!(connection_count(&s).await, 1, "every call found the same row");

    let (status, answer) = s.call(Method::POST, &deploy, Some(body(sshd.port, &account, json!({})))).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("password")), "{answer}");
    let (status, _) = s
        .call(Method::POST, "/api/ssh-keys/999/deploy", Some(body(sshd.port, &account, json!({"password": "x"}))))
        .await;
    assert_eq!(status, 404);
    let (status, answer) =
        s.call(Method::POST, &test, Some(body(sshd.port, &account, json!({"username": "-oProxyCommand=x"})))).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("username")), "{answer}");
}

#[tokio::test]
async fn accept_new_trusts_a_new_host_once_and_still_refuses_a_changed_key() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::sftp_only();
    let settings = Settings { host_key_policy: HostKeyPolicy::AcceptNew, ..test_settings() };
    let s = SshApp::start(Some(settings)).await;
    let key = system_key_id(&s).await;
    let sftp = json!({"use_sftp_mode": true});

    // The key is not installed yet: the host is trusted at first contact, the login fails.
    let test = format!("/api/ssh-keys/{key}/test-connection");
    let (status, answer) = s.call(Method::POST, &test, Some(body(sshd.port, &account, sftp.clone()))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(false)), "{answer}");
    assert_eq!(answer["connection"]["status"], "failed");
    let accepted = audit_details(&s, "known_host.accepted_new").await;
    assert_eq!(accepted.len(), 3, "each offered key, with its fingerprint: {accepted:?}");
    assert!(accepted.iter().all(|d| d.contains("SHA256:")));

    let deploy = json!({"use_sftp_mode": true, "password": account.password});
    let (status, answer) =
        s.call(Method::POST, &format!("/api/ssh-keys/{key}/deploy"), Some(body(sshd.port, &account, deploy))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(true)), "{answer}");
    let (status, answer) = s.call(Method::POST, &test, Some(body(sshd.port, &account, sftp.clone()))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(true)), "{answer}");
    assert_eq!(audit_details(&s, "known_host.accepted_new").await.len(), 3, "trusted once, not on every call");

    // Another server with other keys on the same port: accept-new never replaces a trusted key.
    let port = sshd.port;
    drop(sshd);
    let Some(_imposter) = TestSshd::start_with(Some(port), &["127.0.0.1"], "") else { return };
    let (status, answer) = s.call(Method::POST, &test, Some(body(port, &account, sftp))).await;
    assert_eq!((status, answer["success"].as_bool()), (200, Some(false)), "{answer}");
    let stages = answer["stages"].as_array().unwrap();
    let host_key = stages.iter().find(|st| st["name"] == "host_key").unwrap();
    assert_eq!(host_key["status"], "failed", "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("CHANGED"), "{answer}");
    assert_eq!(audit_details(&s, "known_host.accepted_new").await.len(), 3);
}
