//! Key rotation against a real OpenSSH sshd: a shell user with two connections and a chrooted
//! SFTP-only user, moved from the system key to its successor with no password; every other line
//! of their authorized_keys kept byte for byte, the old key's line gone, `ssh -F ssh_config` working
//! with the new key. A key forced to a command is reported and left untouched, and a dry run
//! changes nothing anywhere.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::{Value, json};

const ALICE: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N alice@laptop";

async fn system_key_id(s: &SshApp) -> i64 {
    let (_, key) = s.call(Method::GET, "/api/ssh-keys/system-key", None).await;
    key["ssh_key"]["id"].as_i64().unwrap()
}

/// Polls rotation `id` until it leaves `state` (at most 60 s) and returns it.
async fn wait_while(s: &SshApp, id: i64, state: &str) -> Value {
    for _ in 0..600 {
        let (status, body) = s.call(Method::GET, &format!("/api/ssh-keys/rotations/{id}"), None).await;
        assert_eq!(status, 200, "{body}");
        if body["rotation"]["state"] != state {
            return body["rotation"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("rotation {id} still {state} after 60 s");
}

/// Starts a rotation and polls it until it leaves `running`.
async fn rotate(s: &SshApp, key_id: i64, body: Value) -> Value {
    let (status, started) = s.call(Method::POST, &format!("/api/ssh-keys/{key_id}/rotate"), Some(body)).await;
    assert_eq!(status, 202, "{started}");
    wait_while(s, started["rotation"]["id"].as_i64().unwrap(), "running").await
}

fn states(rotation: &Value) -> Vec<String> {
    rotation["hosts"].as_array().unwrap().iter().map(|h| h["state"].as_str().unwrap().to_string()).collect()
}

fn blob(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap()
}

#[tokio::test]
async fn a_rotation_moves_every_connection_to_the_successor_and_keeps_every_other_line() {
    let Some(sshd) = TestSshd::start() else { return };
    let sshd = &sshd;
    crate::common::on_every_engine(|db| async move {
        let shell = TestAccount::shell();
        let sftp = TestAccount::sftp_only();
        let s = SshApp::start_on(db, None).await;
        let data_dir = s.app.state.settings.data_dir.clone();
        let agent_keys = keyhaven::server::services::keys::DatabaseKeys {
            db: s.app.db.conn.clone(),
            master: s.app.state.master_key.clone(),
        };
        keyhaven::server::services::keys::start_agent(&data_dir, agent_keys).unwrap();
        let system = s.system_key.trim().to_string();
        // Options, a comment, a blank line, CRLF, a commented copy of the old key, no final newline.
        let before = format!(
            "# managed by ops\r\nrestrict,command=\"borg serve\" {ALICE}\n\n#{system} parked\n{system}\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxWl5ohgZ0zh6J0gxBqAjuGIzRzaJ9MFgYpXDNTyXFU bob"
        );
        shell.write_authorized_keys(before.as_bytes());
        sftp.write_authorized_keys(format!("{system}\n{ALICE}\n").as_bytes());
        s.trust(sshd.port, &sshd.host_keys()[0]).await;
        let shell_a = s.connection(sshd.port, &shell.name, false, Some("/srv/a")).await;
        let shell_b = s.connection(sshd.port, &shell.name, false, Some("/srv/b")).await;
        let box_id = s.connection(sshd.port, &sftp.name, true, None).await;
        let box_b = s.connection(sshd.port, &sftp.name, true, Some("/backups")).await;
        let old_id = system_key_id(&s).await;

        let rotation = rotate(&s, old_id, json!({})).await;
        assert_eq!(rotation["state"], "finished", "{rotation:#}");
        assert_eq!(states(&rotation), ["cleaned"; 4], "{rotation:#}");
        assert_eq!(rotation["counts"]["cleaned"], 4);

        // The successor took the system key's place and name; the old key is gone.
        let (_, key) = s.call(Method::GET, "/api/ssh-keys/system-key", None).await;
        let new_line = key["ssh_key"]["public_key"].as_str().unwrap().to_string();
        assert_eq!(key["ssh_key"]["name"], "System SSH Key");
        assert_eq!(key["ssh_key"]["fingerprint"], rotation["new_fingerprint"]);
        assert_ne!(blob(&new_line), blob(&system));
        let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
        assert_eq!(keys["ssh_keys"].as_array().unwrap().len(), 1, "{keys}");

        // Every other byte stayed; the old key's active line is gone, its commented copy stays.
        let expected = format!(
            "# managed by ops\r\nrestrict,command=\"borg serve\" {ALICE}\n\n#{system} parked\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxWl5ohgZ0zh6J0gxBqAjuGIzRzaJ9MFgYpXDNTyXFU bob\n{new_line}\n"
        );
        assert_eq!(String::from_utf8(shell.authorized_keys().unwrap()).unwrap(), expected);
        assert_eq!(String::from_utf8(sftp.authorized_keys().unwrap()).unwrap(), format!("{ALICE}\n{new_line}\n"));

        // Each connection logs in with the new key (the only one of ours left on the host).
        for id in [shell_a, shell_b, box_id, box_b] {
            let listed = s.listed(id).await;
            assert_eq!(listed["ssh_key_id"], key["ssh_key"]["id"], "{listed}");
            let (status, body) = s.action(id, "test", None).await;
            assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "{body}");
        }
        let config = data_dir.join("ssh/ssh_config");
        let mut ssh = std::process::Command::new("ssh");
        ssh.arg("-F").arg(&config).args(["-o", "BatchMode=yes", &format!("keyhaven-{shell_a}"), "true"]);
        let out = tokio::task::spawn_blocking(move || ssh.output().unwrap()).await.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

        // The audit log names both fingerprints, per host and for the key.
        let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
        let text = audit.to_string();
        assert!(text.contains("rotation.host") && text.contains("ssh_key.rotated"), "{text}");
        assert!(text.contains(rotation["old_fingerprint"].as_str().unwrap()));
    })
    .await;
}

#[tokio::test]
async fn a_forced_command_host_is_reported_untouched_and_a_dry_run_changes_nothing() {
    let Some(sshd) = TestSshd::start() else { return };
    let forced = TestAccount::shell();
    let plain = TestAccount::shell();
    let s = SshApp::start(None).await;
    let system = s.system_key.trim().to_string();
    let forced_file = format!("restrict,command=\"/bin/true\" {system}\n{ALICE}\n");
    forced.write_authorized_keys(forced_file.as_bytes());
    let plain_file = format!("{ALICE}\n{system}\n");
    plain.write_authorized_keys(plain_file.as_bytes());
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    s.connection(sshd.port, &forced.name, false, None).await;
    s.connection(sshd.port, &plain.name, false, None).await;
    let old_id = system_key_id(&s).await;

    let dry = rotate(&s, old_id, json!({"dry_run": true})).await;
    assert_eq!(dry["state"], "dry_run", "{dry:#}");
    assert_eq!(dry["new_fingerprint"], Value::Null);
    assert_eq!(states(&dry), ["failed", "checked"], "{dry:#}");
    assert_eq!(dry["hosts"][0]["needs_manual_step"], true);
    assert!(dry["hosts"][1]["detail"].as_str().unwrap().contains("remove 1 line(s)"), "{dry:#}");
    assert_eq!(forced.authorized_keys().unwrap(), forced_file.as_bytes());
    assert_eq!(plain.authorized_keys().unwrap(), plain_file.as_bytes());
    let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
    assert_eq!(keys["ssh_keys"].as_array().unwrap().len(), 1, "a dry run makes no key");

    let rotation = rotate(&s, old_id, json!({})).await;
    assert_eq!(rotation["state"], "attention", "{rotation:#}");
    assert_eq!(states(&rotation), ["failed", "cleaned"], "{rotation:#}");
    let failed = &rotation["hosts"][0];
    assert_eq!(failed["needs_manual_step"], true);
    assert_eq!(failed["reached"], "pending");
    assert_eq!(forced.authorized_keys().unwrap(), forced_file.as_bytes(), "nothing removed or added");
    // The old key stays while a connection still uses it; a second rotation of it is refused.
    let (_, key) = s.call(Method::GET, &format!("/api/ssh-keys/{old_id}"), None).await;
    assert_eq!(key["ssh_key"]["is_system_key"], true, "{key}");
    let (status, body) = s.call(Method::POST, &format!("/api/ssh-keys/{old_id}/rotate"), Some(json!({}))).await;
    assert_eq!((status, body["field"].as_str()), (409, Some("key")), "{body}");
    let (status, body) =
        s.call(Method::POST, &format!("/api/ssh-keys/{old_id}/rotate"), Some(json!({"key_type": "dsa"}))).await;
    assert_eq!(status, 409, "the open rotation is named first: {body}");
}

#[tokio::test]
async fn a_rotation_that_needs_attention_rolls_back_to_the_old_key() {
    let Some(sshd) = TestSshd::start() else { return };
    let sshd = &sshd;
    crate::common::on_every_engine(|db| async move {
        let forced = TestAccount::shell();
        let plain = TestAccount::sftp_only();
        let s = SshApp::start_on(db, None).await;
        let system = s.system_key.trim().to_string();
        let forced_file = format!("restrict,command=\"/bin/true\" {system}\n");
        forced.write_authorized_keys(forced_file.as_bytes());
        let plain_file = format!("{ALICE}\n{system}\n# kept\n");
        plain.write_authorized_keys(plain_file.as_bytes());
        s.trust(sshd.port, &sshd.host_keys()[0]).await;
        let forced_id = s.connection(sshd.port, &forced.name, false, None).await;
        let plain_id = s.connection(sshd.port, &plain.name, true, None).await;
        let old_id = system_key_id(&s).await;
        let rotation = rotate(&s, old_id, json!({})).await;
        assert_eq!(states(&rotation), ["failed", "cleaned"], "{rotation:#}");
        let id = rotation["id"].as_i64().unwrap();
        let steps = rotation["hosts"][0]["manual_steps"].as_str().unwrap();
        assert!(steps.contains(rotation["old_fingerprint"].as_str().unwrap()), "{steps}");

        let path = |action: &str| format!("/api/ssh-keys/rotations/{id}/{action}");
        let (status, body) = s.call(Method::POST, &path(&format!("connections/{forced_id}/skip")), None).await;
        assert_eq!((status, body["rotation"]["hosts"][0]["state"].as_str()), (200, Some("skipped")), "{body}");
        let (status, body) = s.call(Method::POST, &path(&format!("connections/{plain_id}/skip")), None).await;
        assert_eq!((status, body["field"].as_str()), (409, Some("connection_id")), "a finished host: {body}");

        let (status, body) = s.call(Method::POST, &path("rollback"), None).await;
        assert_eq!((status, body["rotation"]["state"].as_str()), (200, Some("rolling_back")), "{body}");
        let back = wait_while(&s, id, "rolling_back").await;
        assert_eq!(back["state"], "rolled_back", "{back:#}");
        assert_eq!(states(&back), ["rolled_back", "rolled_back"]);
        // Every other line as it was; the old key's line is back (at the end, where it was re-added) and
        // the new key's line is gone.
        let restored = format!("{ALICE}\n# kept\n{system}\n");
        assert_eq!(String::from_utf8(plain.authorized_keys().unwrap()).unwrap(), restored);
        assert_eq!(forced.authorized_keys().unwrap(), forced_file.as_bytes());
        let (_, keys) = s.call(Method::GET, "/api/ssh-keys", None).await;
        assert_eq!(keys["ssh_keys"].as_array().unwrap().len(), 1, "the new key is deleted: {keys}");
        assert_eq!(keys["ssh_keys"][0]["id"], old_id);
        assert_eq!(s.listed(plain_id).await["ssh_key_id"], old_id);
        let (status, body) = s.action(plain_id, "test", None).await;
        assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "{body}");

        // The report, as a download in both forms.
        let res = s.app.json(Method::GET, &path("report.csv"), &s.admin, None).await;
        assert_eq!(res.status, 200);
        assert!(res.header("content-disposition").unwrap().contains(&format!("keyhaven-rotation-{id}.csv")));
        let csv = res.text();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(
            csv.starts_with("rotation,key,old_fingerprint,new_fingerprint,connection_id,connection,state"),
            "{csv}"
        );
        let res = s.app.json(Method::GET, &path("report.json"), &s.admin, None).await;
        assert_eq!(res.json()["hosts"][1]["state"], "rolled_back");
    })
    .await;
}

#[tokio::test]
async fn a_host_the_old_key_cannot_edit_takes_the_new_key_with_a_password_and_the_old_key_retires() {
    let Some(sshd) = TestSshd::start() else { return };
    let forced = TestAccount::shell();
    let s = SshApp::start(None).await;
    let system = s.system_key.trim().to_string();
    let forced_line = format!("restrict,command=\"/bin/true\" {system}");
    forced.write_authorized_keys(format!("{forced_line}\n").as_bytes());
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let conn = s.connection(sshd.port, &forced.name, false, None).await;
    let old_id = system_key_id(&s).await;
    let rotation = rotate(&s, old_id, json!({})).await;
    assert_eq!(rotation["state"], "attention", "{rotation:#}");
    let id = rotation["id"].as_i64().unwrap();
    let deploy = format!("/api/ssh-keys/rotations/{id}/connections/{conn}/deploy");

    let (status, body) = s.call(Method::POST, &deploy, Some(json!({"password": ""}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")), "{body}");
    let (status, body) = s.call(Method::POST, &deploy, Some(json!({"password": "wrong password"}))).await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(!body.to_string().contains("wrong password"), "the password never comes back");
    let (status, body) = s.call(Method::POST, &deploy, Some(json!({"password": forced.password}))).await;
    assert_eq!(status, 200, "{body}");
    let after = wait_while(&s, id, "running").await;
    // Switched to the new key; the old key's line is behind options, so it stays (reported).
    assert_eq!(after["state"], "attention", "{after:#}");
    assert_eq!(
        (after["hosts"][0]["state"].as_str(), after["hosts"][0]["reached"].as_str()),
        (Some("failed"), Some("switched"))
    );
    let file = String::from_utf8(forced.authorized_keys().unwrap()).unwrap();
    assert!(file.starts_with(&format!("{forced_line}\n")), "{file}");
    let audit = s.call(Method::GET, "/api/audit?per_page=100", None).await.1.to_string();
    assert!(!audit.contains(&forced.password), "the password is never audited");

    let (status, body) = s.call(Method::POST, &format!("/api/ssh-keys/rotations/{id}/retire"), None).await;
    assert_eq!((status, body["rotation"]["state"].as_str()), (200, Some("finished")), "{body}");
    let (_, key) = s.call(Method::GET, "/api/ssh-keys/system-key", None).await;
    assert_eq!(key["ssh_key"]["fingerprint"], after["new_fingerprint"]);
    let (status, body) = s.action(conn, "test", None).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "the new key logs in: {body}");
    let (status, _) = s.call(Method::POST, &format!("/api/ssh-keys/rotations/{id}/retry"), None).await;
    assert_eq!(status, 409, "a finished rotation takes no more actions");
}

#[tokio::test]
async fn a_key_with_a_period_is_due_after_it_and_rotates_itself_when_it_may() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    account.write_authorized_keys(format!("{}\n", s.system_key.trim()).as_bytes());
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    s.connection(sshd.port, &account.name, false, None).await;
    let old_id = system_key_id(&s).await;
    let period = format!("/api/ssh-keys/{old_id}/rotation-period");
    let (status, body) = s.call(Method::PUT, &period, Some(json!({"rotation_period_days": 0}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("rotation_period_days")), "{body}");
    let (status, body) = s.call(Method::PUT, &period, Some(json!({"auto_rotate": true}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("auto_rotate")), "{body}");
    let (status, body) =
        s.call(Method::PUT, &period, Some(json!({"rotation_period_days": 30, "auto_rotate": true}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ssh_key"]["rotation_period_days"], 30);
    assert!([29, 30].contains(&body["ssh_key"]["rotation_due_in_days"].as_i64().unwrap()), "{body}");

    let rotator = s.app.state.rotator();
    assert!(keyhaven::server::services::rotation::rotate_due(&rotator).await.unwrap().is_empty(), "not due yet");
    // 31 days later (the key made a month ago): due, and it rotates by itself.
    let db = &s.app.db.conn;
    let mut key: keyhaven::server::entities::ssh_key::ActiveModel =
        keyhaven::server::entities::ssh_key::Entity::find_by_id(old_id as i32).one(db).await.unwrap().unwrap().into();
    key.created_at = Set(chrono::Utc::now() - chrono::Duration::days(31));
    key.update(db).await.unwrap();
    let due = keyhaven::server::services::keys::due_soon(db).await.unwrap();
    assert_eq!(due.len(), 1);
    let started = keyhaven::server::services::rotation::rotate_due(&rotator).await.unwrap();
    assert_eq!(started.len(), 1);
    let done = wait_while(&s, i64::from(started[0]), "running").await;
    assert_eq!(done["state"], "finished", "{done:#}");
    assert_eq!(done["started_by"], "keyhaven");
    let (_, key) = s.call(Method::GET, "/api/ssh-keys/system-key", None).await;
    let new_id = key["ssh_key"]["id"].as_i64().unwrap();
    let (_, key) = s.call(Method::GET, &format!("/api/ssh-keys/{new_id}"), None).await;
    assert_eq!(key["ssh_key"]["rotation_period_days"], 30, "the period goes on with the key: {key}");
    assert!(key["ssh_key"]["rotation_due_in_days"].as_i64().unwrap() >= 29);
    assert!(keyhaven::server::services::keys::due_soon(db).await.unwrap().is_empty());
}
