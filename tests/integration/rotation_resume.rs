//! A key rotation survives the Keyhaven process being killed in the middle: the real binary
//! rotates the system key on 20 connections (10 accounts of a real sshd, two connections each),
//! is killed with SIGKILL once some connections have moved and others have not, and is started
//! again on the same data dir; the rotation resumes and finishes. A probe reads every account's
//! authorized_keys all along: at no moment does an account hold neither the old nor the new key.

use crate::common::accounts::TestAccount;
use crate::common::sshd::TestSshd;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Api {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("keyhaven answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn serve(data_dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_keyhaven"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("KEYHAVEN_DATA_DIR", data_dir)
        .env("KEYHAVEN_LISTEN", format!("127.0.0.1:{port}"))
        .env("KEYHAVEN_CHECK_INTERVAL_SECS", "0")
        // Three connections at a time, so the kill finds some moved and some not.
        .env("KEYHAVEN_SSH_MAX_CONNECTIONS", "4")
        .env("KEYHAVEN_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the keyhaven binary starts")
}

async fn ready(api: &Api) {
    for _ in 0..300 {
        if let Ok(res) = api.client.get(format!("{}/healthz", api.url)).send().await
            && res.status().is_success()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("keyhaven did not answer /healthz within 30 s");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An active line carrying `blob` (no `#` before the key).
fn active(file: &str, blob: &str) -> bool {
    file.lines().any(|l| !l.trim_start().starts_with('#') && l.split_whitespace().any(|w| w == blob))
}

#[tokio::test]
async fn a_rotation_killed_in_the_middle_resumes_after_a_restart_and_no_host_is_ever_without_a_key() {
    let Some(sshd) = TestSshd::start() else { return };
    let accounts: Vec<TestAccount> = (0..10).map(|_| TestAccount::shell()).collect();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut api = Api { client: reqwest::Client::new(), url: format!("http://127.0.0.1:{port}"), token: None };
    let mut child = serve(data.path(), port);
    ready(&api).await;
    let admin = json!({"username": "admin", "password": "admin password 1"});
    assert_eq!(api.call(reqwest::Method::POST, "/api/setup", Some(admin.clone())).await.0, 201);
    let (_, login) = api.call(reqwest::Method::POST, "/api/auth/login", Some(admin)).await;
    api.token = login["access_token"].as_str().map(str::to_string);
    let (_, key) =
        api.call(reqwest::Method::POST, "/api/ssh-keys/generate", Some(json!({"name": "System SSH Key"}))).await;
    let old_line = key["ssh_key"]["public_key"].as_str().unwrap().to_string();
    let old_id = key["ssh_key"]["id"].as_i64().unwrap();
    let known = format!("[127.0.0.1]:{} {}\n", sshd.port, sshd.host_keys()[0]);
    let (status, _) =
        api.call(reqwest::Method::POST, "/api/known-hosts/import", Some(json!({"known_hosts": known}))).await;
    assert_eq!(status, 200);
    for account in &accounts {
        account.write_authorized_keys(format!("# ops\n{old_line}\n").as_bytes());
        for path in ["/srv/a", "/srv/b"] {
            let body = json!({"host": "127.0.0.1", "port": sshd.port, "username": account.name, "default_path": path});
            let (status, body) = api.call(reqwest::Method::POST, "/api/ssh-keys/connections", Some(body)).await;
            assert_eq!(status, 201, "{body}");
        }
    }

    let (status, started) =
        api.call(reqwest::Method::POST, &format!("/api/ssh-keys/{old_id}/rotate"), Some(json!({}))).await;
    assert_eq!(status, 202, "{started}");
    let id = started["rotation"]["id"].as_i64().unwrap();
    let new_id = started["rotation"]["new_key_id"].as_i64().unwrap();
    let (_, new_key) = api.call(reqwest::Method::GET, &format!("/api/ssh-keys/{new_id}"), None).await;
    let new_blob = new_key["ssh_key"]["public_key"].as_str().unwrap().split_whitespace().nth(1).unwrap().to_string();
    let old_blob = old_line.split_whitespace().nth(1).unwrap().to_string();

    // The probe: every account's file, over and over, until the end of the test.
    let stop = Arc::new(AtomicBool::new(false));
    let (samples, without_a_key) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let homes: Vec<_> = accounts.iter().map(|a| a.home.join(".ssh/authorized_keys")).collect();
    let probe = {
        let (stop, samples, without_a_key) = (stop.clone(), samples.clone(), without_a_key.clone());
        let (old_blob, new_blob) = (old_blob.clone(), new_blob.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for home in &homes {
                    let file = std::fs::read_to_string(home).unwrap_or_default();
                    if !active(&file, &old_blob) && !active(&file, &new_blob) {
                        without_a_key.fetch_add(1, Ordering::Relaxed);
                    }
                    samples.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };

    // Kill as soon as a connection has switched to the new key while others have not started.
    let mut at_kill = Value::Null;
    for _ in 0..3000 {
        let (_, body) = api.call(reqwest::Method::GET, &format!("/api/ssh-keys/rotations/{id}"), None).await;
        let hosts = body["rotation"]["hosts"].as_array().cloned().unwrap_or_default();
        let switched = hosts.iter().any(|h| h["state"] == "switched" || h["state"] == "cleaned");
        if switched {
            child.kill().unwrap();
            child.wait().unwrap();
            at_kill = body["rotation"].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(at_kill["counts"]["pending"].as_u64().unwrap() > 0, "killed in the middle: {at_kill:#}");
    assert_eq!(at_kill["state"], "running");

    child = serve(data.path(), port);
    ready(&api).await;
    let mut done = Value::Null;
    for _ in 0..1200 {
        let (_, body) = api.call(reqwest::Method::GET, &format!("/api/ssh-keys/rotations/{id}"), None).await;
        done = body["rotation"].clone();
        if done["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    probe.join().unwrap();
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(done["state"], "finished", "{done:#}");
    assert_eq!(done["counts"]["cleaned"], 20, "{done:#}");
    assert!(samples.load(Ordering::Relaxed) > 100, "the probe looked often");
    assert_eq!(without_a_key.load(Ordering::Relaxed), 0, "an account was seen without a working key");
    for account in &accounts {
        let file = String::from_utf8(account.authorized_keys().unwrap()).unwrap();
        assert!(file.starts_with("# ops\n") && active(&file, &new_blob) && !active(&file, &old_blob), "{file}");
    }
}
