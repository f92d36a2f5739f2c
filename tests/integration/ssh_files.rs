//! The files in `data/ssh` follow every change before its answer arrives, whichever door the change
//! came through (REST, a server function, a form post, the setup wizard, start-up after a change
//! made elsewhere); a failed write keeps the change, says so and catches up; a burst of changes
//! costs few writes and ends consistent with the database.

use super::http_ssh_key_forms::multipart;
use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use crate::common::{openssh, test_state};
use axum::http::Method;
use keyhaven::server::services::keys::{self, DatabaseKeys};
use serde_json::json;
use std::path::{Path, PathBuf};

fn ssh_dir(s: &SshApp) -> PathBuf {
    s.app.state.settings.data_dir.join("ssh")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Every `Host` block, as ssh sees them: `ssh_config` includes the shards of `config.d` in name order.
fn blocks(dir: &Path) -> String {
    let mut shards: Vec<PathBuf> = std::fs::read_dir(dir.join("config.d"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    shards.sort();
    shards.iter().map(|p| read(p)).collect()
}

fn has_block(dir: &Path, id: i64) -> bool {
    blocks(dir).contains(&format!("Host keyhaven-{id}\n"))
}

/// Waits (up to `seconds`) until `done` holds; the writer's retries run on their own clock.
async fn eventually(seconds: u64, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..seconds * 20 {
        if done() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    done()
}

#[tokio::test]
async fn every_door_changes_the_files_before_it_answers() {
    let s = SshApp::start(None).await;
    let dir = ssh_dir(&s);
    let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
    let system_id = keys["ssh_keys"][0]["id"].as_i64().unwrap();
    assert_eq!(read(&dir.join(format!("keys/{system_id}.pub"))).trim(), s.system_key.trim(), "REST generate");

    // REST: a known host and a connection.
    s.trust(2222, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl").await;
    assert!(read(&dir.join("known_hosts")).starts_with("[127.0.0.1]:2222 ssh-ed25519 "), "REST known-hosts import");
    let rest = s.connection(2222, "restuser", false, None).await;
    assert!(has_block(&dir, rest), "REST create: {}", blocks(&dir));
    let (status, _) =
        s.call(Method::PUT, &format!("/api/ssh-keys/connections/{rest}"), Some(json!({"username": "renamed"}))).await;
    assert_eq!(status, 200);
    assert!(blocks(&dir).contains("  User renamed\n"), "REST update");

    // A server function.
    let form = [("host", "127.0.0.1"), ("username", "rpcuser"), ("port", "2222")];
    let res = s.app.server_fn("create_connection", &s.browser, &form).await;
    assert!(res.status.is_success() || res.status.is_redirection(), "{}", res.text());
    assert!(blocks(&dir).contains("  User rpcuser\n"), "server function create");

    // A form post (the key upload works without JavaScript).
    let keydir = tempfile::tempdir().unwrap();
    let path = openssh::keygen(keydir.path(), "up", "ed25519", None, None, "");
    let (ct, body) = multipart(&[("name", "uploaded")], &read(&path));
    let res = s.app.raw(Method::POST, "/settings/ssh-keys/upload", &s.browser, &ct, &body).await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
    let uploaded =
        keys["ssh_keys"].as_array().unwrap().iter().find(|k| k["name"] == "uploaded").unwrap()["id"].as_i64().unwrap();
    let line = read(&dir.join(format!("keys/{uploaded}.pub")));
    assert_eq!(line.split_whitespace().nth(1), read(&path.with_extension("pub")).split_whitespace().nth(1));

    // A key deletion removes its file and the IdentityFile of the connections that used it.
    let (status, _) =
        s.call(Method::PUT, &format!("/api/ssh-keys/connections/{rest}"), Some(json!({"ssh_key_id": uploaded}))).await;
    assert_eq!(status, 200);
    assert!(blocks(&dir).contains(&format!("keys/{uploaded}.pub\"")));
    let (status, body) = s.call(Method::DELETE, &format!("/api/ssh-keys/{uploaded}?confirm=true"), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(!dir.join(format!("keys/{uploaded}.pub")).exists(), "the deleted key's file is gone");
    assert!(!blocks(&dir).contains(&format!("keys/{uploaded}.pub\"")), "and no block names it");

    // REST deletes.
    let (status, _) = s.call(Method::DELETE, &format!("/api/ssh-keys/connections/{rest}"), None).await;
    assert_eq!(status, 200);
    assert!(!has_block(&dir, rest), "REST delete");
    let (_, hosts) = s.call(Method::GET, "/api/known-hosts", None).await;
    let host_id = hosts["known_hosts"][0]["id"].as_i64().unwrap();
    let (status, _) = s.call(Method::DELETE, &format!("/api/known-hosts/{host_id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(read(&dir.join("known_hosts")), "", "known host removed");
}

#[tokio::test]
async fn the_wizards_first_connection_logs_in_with_the_files_right_after_the_answer() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let data_dir = s.app.state.settings.data_dir.clone();
    let keys = DatabaseKeys { db: s.app.db.conn.clone(), master: s.app.state.master_key.clone() };
    keys::start_agent(&data_dir, keys).unwrap();

    let port = sshd.port.to_string();
    let form =
        [("host", "127.0.0.1"), ("port", port.as_str()), ("username", &account.name), ("password", &account.password)];
    let res = s.app.server_fn("setup_connect", &s.browser, &form).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let (_, listed) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    let id = listed["connections"][0]["id"].as_i64().unwrap();

    let config = data_dir.join("ssh/ssh_config");
    let mut ssh = std::process::Command::new("ssh");
    ssh.arg("-F").arg(&config).args(["-o", "BatchMode=yes", &format!("keyhaven-{id}"), "true"]);
    let out = tokio::task::spawn_blocking(move || ssh.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), read(&config));
}

#[tokio::test]
async fn a_failed_write_keeps_the_change_says_so_and_catches_up_without_a_restart() {
    let s = SshApp::start(None).await;
    let dir = ssh_dir(&s);
    // Root ignores permissions, so the place of the first connection's shard is taken by a
    // directory: rename() fails for anyone.
    let shard = dir.join("config.d/000000.conf");
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join("blocker"), "").unwrap();

    let body = json!({"host": "127.0.0.1", "port": 2200, "username": "kept"});
    let res = s.app.json(Method::POST, "/api/ssh-keys/connections", &s.admin, Some(body)).await;
    assert_eq!(res.status, 201, "the change is saved: {}", res.text());
    let stale = res.header("x-keyhaven-files-stale").expect("the answer says the files are stale");
    assert!(stale.contains("config.d/000000.conf"), "{stale}");
    let id = res.json()["connection"]["id"].as_i64().unwrap();
    let (_, listed) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    assert_eq!(listed["connections"][0]["id"], id, "kept in the database");

    let health = s.app.get_page("/healthz", &crate::common::http::Auth::Anonymous).await;
    assert_eq!(health.status, 200);
    assert!(health.text().starts_with("degraded: the files in data/ssh are stale"), "{}", health.text());
    assert!(!health.text().contains(&s.app.state.settings.data_dir.display().to_string()), "no full path");
    let dashboard = s.app.get_page("/rpc/get_connection_health", &s.browser).await;
    assert!(dashboard.json()["files_stale"].as_str().unwrap_or("").contains("000000.conf"), "{}", dashboard.text());

    std::fs::remove_dir_all(&shard).unwrap();
    assert!(eventually(15, || has_block(&dir, id)).await, "caught up: {}", blocks(&dir));
    assert!(eventually(5, || s.app.state.changes.status().failure.is_none()).await);
    assert_eq!(s.app.get_page("/healthz", &crate::common::http::Auth::Anonymous).await.text(), "ok");
    let res = s
        .app
        .json(
            Method::POST,
            "/api/ssh-keys/connections",
            &s.admin,
            Some(json!({"host": "127.0.0.1", "port": 2201, "username": "next"})),
        )
        .await;
    assert_eq!((res.status.as_u16(), res.header("x-keyhaven-files-stale")), (201, None));
}

#[tokio::test]
async fn a_burst_of_200_changes_costs_few_writes_and_ends_like_a_fresh_projection() {
    let s = SshApp::start(None).await;
    let before = s.app.state.changes.status().passes;
    let creates = (0..200).map(|i| {
        let body = json!({"host": "127.0.0.1", "port": 10_000 + i, "username": format!("u{i}")});
        s.app.json(Method::POST, "/api/ssh-keys/connections", &s.admin, Some(body))
    });
    let answers = futures::future::join_all(creates).await;
    assert!(answers.iter().all(|r| r.status == 201 && r.header("x-keyhaven-files-stale").is_none()));
    let passes = s.app.state.changes.status().passes - before;
    println!("200 concurrent creates: {passes} writer passes");
    assert!(passes < 100, "notices that arrive during a write share the next one: {passes} passes");

    // A second writer on the same database, from nothing, writes the same files.
    let fresh = test_state(s.app.db.conn.clone());
    assert!(eventually(10, || fresh.changes.status().passes > 0).await);
    let (ours, theirs) = (ssh_dir(&s), fresh.settings.data_dir.join("ssh"));
    let canon = |d: &Path| std::fs::canonicalize(d).unwrap().display().to_string();
    let config = read(&ours.join("ssh_config")).replace(&canon(&ours), "DIR");
    assert_eq!(config, read(&theirs.join("ssh_config")).replace(&canon(&theirs), "DIR"));
    let ours_blocks = blocks(&ours).replace(&canon(&ours), "DIR");
    assert_eq!(ours_blocks, blocks(&theirs).replace(&canon(&theirs), "DIR"));
    assert_eq!(ours_blocks.matches("\nHost keyhaven-").count(), 200);
    let shards = std::fs::read_dir(ours.join("config.d")).unwrap().count();
    assert!((4..=5).contains(&shards), "200 connections in shards of 64: {shards} files");
    assert_eq!(read(&ours.join("known_hosts")), read(&theirs.join("known_hosts")));
}

#[tokio::test]
async fn a_change_made_while_the_server_was_down_is_in_the_files_at_start() {
    let s = SshApp::start(None).await;
    let id = s.connection(2222, "early", false, None).await;
    // The same database opened by a new process (as after a CLI change or a restored backup).
    let restarted = test_state(s.app.db.conn.clone());
    assert!(eventually(10, || has_block(&restarted.settings.data_dir.join("ssh"), id)).await);
    let keys = std::fs::read_dir(restarted.settings.data_dir.join("ssh/keys")).unwrap().count();
    assert_eq!(keys, 1, "the system key's public file");
}
