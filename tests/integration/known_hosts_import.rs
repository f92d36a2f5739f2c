//! Importing known_hosts text (plain, `[host]:port`, several names, hashed by `ssh-keygen -H`),
//! with what cannot be imported reported line by line; and replacing a changed host key.

use crate::common::http::{Auth, TestApp};
use crate::common::sshd::TestSshd;
use crate::common::{on_every_engine, sqlite};
use axum::http::Method;
use keyhaven::server::entities::known_host;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use std::process::Command;

const PW: &str = "long enough password";

fn pub_line(dir: &std::path::Path, name: &str, key_type: &str) -> String {
    let file = crate::common::openssh::keygen(dir, name, key_type, None, None, "").with_extension("pub");
    std::fs::read_to_string(file).unwrap().split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn known_hosts_text_imports_what_it_can_and_says_why_not_for_the_rest() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        let dir = tempfile::tempdir().unwrap();
        let (ed, rsa, ec) = (
            pub_line(dir.path(), "ed", "ed25519"),
            pub_line(dir.path(), "rsa", "rsa"),
            pub_line(dir.path(), "ec", "ecdsa"),
        );
        let hashed_file = dir.path().join("hashed");
        std::fs::write(&hashed_file, format!("[hashed.example]:2200 {ed}\nsecret.example {ed}\n")).unwrap();
        assert!(Command::new("ssh-keygen").arg("-H").arg("-f").arg(&hashed_file).output().unwrap().status.success());
        let hashed = std::fs::read_to_string(&hashed_file).unwrap();
        assert!(hashed.lines().all(|l| l.starts_with("|1|")), "{hashed}");
        let text = format!(
            "# a comment\n127.0.0.1 {ed}\n[backup.example]:2222 {rsa}\na.example,b.example {ec}\n{hashed}\
             @revoked * {ed}\n*.example.com {ed}\nold.example ssh-dss AAAAB3NzaC1kc3MAAACBAP1\n127.0.0.1 {ed}\n"
        );
        let body = json!({"known_hosts": text, "hosts": ["[hashed.example]:2200"]});
        let res = app.json(Method::POST, "/api/known-hosts/import", &admin, Some(body)).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let report = res.json();
        assert_eq!(report["imported"], 5, "{report}");
        assert_eq!(report["already_trusted"], 1, "{report}");
        let skipped: Vec<(u64, String)> = report["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["line"].as_u64().unwrap(), s["reason"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        assert!(skipped[0].1.contains("hashed name of a host Keyhaven does not know"), "{skipped:?}");
        assert!(skipped[1].1.contains("markers"));
        assert!(skipped[2].1.contains("patterns"));
        assert!(skipped[3].1.contains("ssh-dss"));
        let export = app.json(Method::GET, "/api/known-hosts/export", &admin, None).await.text();
        let mut lines: Vec<&str> = export.lines().collect();
        lines.sort();
        let mut expected = vec![
            format!("127.0.0.1 {ed}"),
            format!("[backup.example]:2222 {rsa}"),
            format!("[hashed.example]:2200 {ed}"),
            format!("a.example {ec}"),
            format!("b.example {ec}"),
        ];
        expected.sort();
        assert_eq!(lines, expected);
    })
    .await;
}

#[tokio::test]
async fn a_changed_host_key_is_replaced_only_by_a_key_the_host_offers() {
    let Some(sshd) = TestSshd::start() else { return };
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    let dir = tempfile::tempdir().unwrap();
    let old_key = pub_line(dir.path(), "old", "ed25519");
    let old = known_host::ActiveModel {
        host: Set("127.0.0.1".into()),
        port: Set(i32::from(sshd.port)),
        key_type: Set("ssh-ed25519".into()),
        public_key: Set(old_key.clone()),
        fingerprint: Set("SHA256:old".into()),
        trusted_by: Set("test".into()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.db.conn)
    .await
    .unwrap();
    let scan = app
        .json(Method::POST, "/api/known-hosts/scan", &admin, Some(json!({"host": "127.0.0.1", "port": sshd.port})))
        .await
        .json();
    assert_eq!(scan["status"], "changed");
    let offered = scan["keys"][0]["public_key"].as_str().unwrap().to_string();
    let path = format!("/api/known-hosts/{}/replace", old.id);
    let res =
        app.json(Method::POST, &path, &admin, Some(json!({"public_key": pub_line(dir.path(), "x", "ed25519")}))).await;
    assert_eq!((res.status.as_u16(), res.json()["field"].clone()), (422, json!("public_key")));
    let res = app.json(Method::POST, &path, &admin, Some(json!({"public_key": offered}))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let answer = res.json();
    assert_eq!(answer["replaced"][0]["public_key"], old_key);
    assert_eq!(answer["known_host"]["public_key"], offered);
    let scan = app
        .json(Method::POST, "/api/known-hosts/scan", &admin, Some(json!({"host": "127.0.0.1", "port": sshd.port})))
        .await
        .json();
    assert_eq!(scan["status"], "trusted");
    let audit = app.json(Method::GET, "/api/audit?action=known_host.replaced", &admin, None).await.json();
    assert!(audit["entries"][0]["detail"].as_str().unwrap().contains("was SHA256:old"));
}

#[tokio::test]
async fn the_known_hosts_page_shows_fifty_keys_at_a_time_in_name_order() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        let browser = Auth::Session(app.browser_login("alice", PW).await);
        for page in ["1", "5"] {
            let empty = app.get_page(&format!("/rpc/list_known_hosts?page={page}"), &browser).await.json();
            assert_eq!(
                (
                    empty["total"].as_u64(),
                    empty["page"].as_u64(),
                    empty["pages"].as_u64(),
                    empty["rows"].as_array().map(Vec::len)
                ),
                (Some(0), Some(1), Some(1), Some(0)),
                "an empty list is one empty page"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let ed = pub_line(dir.path(), "ed", "ed25519");
        let text: String = (0..120).map(|i| format!("host-{i:03}.example {ed}\n")).collect();
        let res = app.json(Method::POST, "/api/known-hosts/import", &admin, Some(json!({"known_hosts": text}))).await;
        assert_eq!(res.status, 200, "{}", res.text());

        let third = app.get_page("/rpc/list_known_hosts?page=3", &browser).await.json();
        assert_eq!(
            (third["total"].as_u64(), third["page"].as_u64(), third["pages"].as_u64()),
            (Some(120), Some(3), Some(3))
        );
        let hosts: Vec<&str> = third["rows"].as_array().unwrap().iter().map(|r| r["host"].as_str().unwrap()).collect();
        assert_eq!((hosts.len(), hosts[0], hosts[19]), (20, "host-100.example", "host-119.example"));
        let first = app.get_page("/rpc/list_known_hosts?page=1", &browser).await.json();
        assert_eq!(first["rows"].as_array().unwrap().len(), 50);
        assert_eq!(app.get_page("/rpc/list_known_hosts?page=99", &browser).await.json()["page"], 3, "the last page");
        assert_eq!(app.get_page("/rpc/list_known_hosts?page=1", &Auth::Anonymous).await.status, 401);
    })
    .await;
}

#[tokio::test]
async fn an_import_never_adds_a_different_key_beside_a_trusted_one() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        let dir = tempfile::tempdir().unwrap();
        let (ed, rsa, other) = (
            pub_line(dir.path(), "ed", "ed25519"),
            pub_line(dir.path(), "rsa", "rsa"),
            pub_line(dir.path(), "x", "ed25519"),
        );
        let import = |text: String| {
            let (app, admin) = (&app, &admin);
            async move {
                let res =
                    app.json(Method::POST, "/api/known-hosts/import", admin, Some(json!({"known_hosts": text}))).await;
                assert_eq!(res.status, 200, "{}", res.text());
                res.json()
            }
        };
        // A new host's keys of several types (ssh-keyscan's output) all import.
        let first = import(format!("nas.example {ed}\nnas.example {rsa}\n")).await;
        assert_eq!(first["imported"], 2, "{first}");
        // Later, a different key for that host is a changed key: skipped, named, never added.
        let hashed_file = dir.path().join("hashed");
        std::fs::write(&hashed_file, format!("nas.example {other}\n")).unwrap();
        assert!(Command::new("ssh-keygen").arg("-H").arg("-f").arg(&hashed_file).output().unwrap().status.success());
        let hashed = std::fs::read_to_string(&hashed_file).unwrap();
        for text in [format!("nas.example {other}\n"), hashed] {
            let report = import(text).await;
            assert_eq!(report["imported"], 0, "{report}");
            let reason = report["skipped"][0]["reason"].as_str().unwrap_or_default();
            assert!(reason.contains("CHANGED") && reason.contains("nas.example"), "{report}");
        }
        let listed = app.json(Method::GET, "/api/known-hosts", &admin, None).await.json();
        let count = listed["known_hosts"].as_array().map(|a| a.len()).unwrap_or_default();
        assert_eq!(count, 2, "{listed}");
    })
    .await;
}
