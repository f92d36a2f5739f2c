//! Known hosts over the API against a real sshd: scan, trust only what the host offers now, see a
//! changed key refused, export text OpenSSH accepts, remove; bad targets named by field.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use keyhaven::server::entities::known_host;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use std::process::Command;

const PW: &str = "long enough password";

fn sorted_fields(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn scan_trust_export_and_remove_against_a_real_sshd() {
    let Some(sshd) = TestSshd::start() else { return };
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    app.create_user(&admin, "vic", PW, "viewer").await;
    let viewer = Auth::Bearer(app.api_login("vic", PW).await);
    let target = json!({"host": "127.0.0.1", "port": sshd.port});

    let res = app.json(Method::POST, "/api/known-hosts/scan", &admin, Some(target.clone())).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let scan = res.json();
    assert_eq!(sorted_fields(&scan), ["keys", "status", "trusted"]);
    assert_eq!(scan["status"], "new");
    assert_eq!(scan["trusted"], json!([]));
    let keys = scan["keys"].as_array().unwrap();
    let mut offered: Vec<String> = keys.iter().map(|k| k["public_key"].as_str().unwrap().to_string()).collect();
    offered.sort();
    assert_eq!(offered, sshd.host_keys());
    assert_eq!(sorted_fields(&keys[0]), ["fingerprint", "key_type", "public_key"]);
    let ed25519 = keys.iter().find(|k| k["key_type"] == "ssh-ed25519").unwrap()["public_key"].clone();

    assert_eq!(app.json(Method::POST, "/api/known-hosts/scan", &viewer, Some(target.clone())).await.status, 403);
    let stranger = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";
    let body = json!({"host": "127.0.0.1", "port": sshd.port, "public_key": stranger});
    let res = app.json(Method::POST, "/api/known-hosts", &admin, Some(body)).await;
    assert_eq!((res.status.as_u16(), res.json()["field"].clone()), (422, json!("public_key")), "{}", res.text());
    let body = json!({"host": "127.0.0.1", "port": sshd.port, "public_key": ed25519});
    assert_eq!(app.json(Method::POST, "/api/known-hosts", &viewer, Some(body.clone())).await.status, 403);
    let res = app.json(Method::POST, "/api/known-hosts", &admin, Some(body.clone())).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let trusted = res.json()["known_host"].clone();
    assert_eq!(trusted["trusted_by"], "alice");
    assert_eq!(app.json(Method::POST, "/api/known-hosts", &admin, Some(body)).await.status, 409);
    let rescan = app.json(Method::POST, "/api/known-hosts/scan", &admin, Some(target.clone())).await.json();
    assert_eq!(rescan["status"], "trusted");
    assert_eq!(rescan["trusted"], json!([trusted.clone()]));

    // The export is a known_hosts file OpenSSH accepts: ssh gets as far as authentication.
    let export = app.json(Method::GET, "/api/known-hosts/export", &viewer, None).await;
    assert_eq!(export.text(), format!("[127.0.0.1]:{} {}\n", sshd.port, ed25519.as_str().unwrap()));
    let derived = app.state.settings.data_dir.join("ssh").join("known_hosts");
    assert_eq!(std::fs::read_to_string(&derived).unwrap(), export.text(), "data/ssh/known_hosts follows the database");
    let mode = |p: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions()) & 0o777
    };
    assert_eq!((mode(derived.parent().unwrap()), mode(&derived)), (0o700, 0o644));
    let file = sshd.path("exported_known_hosts");
    std::fs::write(&file, export.text()).unwrap();
    let ssh = Command::new("ssh")
        .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlgorithms=ssh-ed25519"])
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", file.display()))
        .args(["-p", &sshd.port.to_string(), "nobody-here@127.0.0.1", "true"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ssh.stderr);
    assert!(stderr.contains("Permission denied") && !stderr.contains("Host key verification failed"), "{stderr}");

    // A host that offers none of its trusted keys has CHANGED; adding another key is refused.
    known_host::ActiveModel {
        host: Set("127.0.0.1".into()),
        port: Set(i32::from(sshd.port)),
        key_type: Set("ssh-ed25519".into()),
        public_key: Set(stranger.into()),
        fingerprint: Set("SHA256:stranger".into()),
        trusted_by: Set("test".into()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .unwrap();
    let id = trusted["id"].as_i64().unwrap();
    assert_eq!(app.json(Method::DELETE, &format!("/api/known-hosts/{id}"), &viewer, None).await.status, 403);
    assert_eq!(app.json(Method::DELETE, &format!("/api/known-hosts/{id}"), &admin, None).await.status, 200);
    assert!(
        !std::fs::read_to_string(&derived).unwrap().contains(ed25519.as_str().unwrap()),
        "removed from the file too"
    );
    let changed = app.json(Method::POST, "/api/known-hosts/scan", &admin, Some(target)).await.json();
    assert_eq!(changed["status"], "changed");
    let body = json!({"host": "127.0.0.1", "port": sshd.port, "public_key": ed25519});
    let res = app.json(Method::POST, "/api/known-hosts", &admin, Some(body)).await;
    assert_eq!(res.status, 409);
    assert!(res.json()["detail"].as_str().unwrap().contains("CHANGED"));

    let audit = app.json(Method::GET, "/api/audit?action=known_host", &admin, None).await.json();
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["known_host.removed", "known_host.trusted"]);
}

#[tokio::test]
async fn bad_scan_targets_are_named_by_field() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    let cases = [
        (json!({"host": "", "port": 22}), "host"),
        (json!({"host": "-oProxyCommand=touch /tmp/x", "port": 22}), "host"),
        (json!({"host": "root@example.com", "port": 22}), "host"),
        (json!({"host": "ssh://example.com", "port": 22}), "host"),
        (json!({"host": "example.com:2222", "port": 22}), "host"),
        (json!({"host": "two words", "port": 22}), "host"),
        (json!({"host": "bad_label.example", "port": 22}), "host"),
        (json!({"host": "example.com", "port": 0}), "port"),
        (json!({"host": "example.com", "port": 65536}), "port"),
        (json!({"host": "example.com", "port": -1}), "port"),
        (json!({"host": "example.com", "port": "22"}), "port"),
        (json!({"port": 22}), "host"),
    ];
    for (body, field) in cases {
        let res = app.json(Method::POST, "/api/known-hosts/scan", &admin, Some(body.clone())).await;
        assert_eq!(res.status, 422, "{body}: {}", res.text());
        assert_eq!(res.json()["field"], field, "{body}");
    }
    let unknown =
        app.json(Method::POST, "/api/known-hosts/scan", &admin, Some(json!({"host": "no-such-host.invalid"}))).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.json()["detail"].as_str().unwrap().contains("could not be resolved"), "{}", unknown.text());
}
