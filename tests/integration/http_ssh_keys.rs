//! The SSH key API: Borg UI's shapes, one system key under concurrency, deletion of used keys,
//! and a table of bad input that must each get a clear 4xx and change nothing.

use crate::common::http::{Auth, TestApp};
use crate::common::{openssh, sqlite, test_settings};
use axum::http::Method;
use serde_json::{Value, json};

pub const PW: &str = "long enough password";

pub async fn admin_app(settings: keyhaven::server::config::Settings) -> (TestApp, Auth) {
    let app = TestApp::with_settings(sqlite().await, settings);
    app.setup_admin("alice", PW).await;
    let token = Auth::Bearer(app.api_login("alice", PW).await);
    (app, token)
}

fn keys(body: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        body["ssh_keys"].as_array().unwrap().iter().map(|k| format!("{}={}", k["name"], k["fingerprint"])).collect();
    names.sort();
    names
}

#[tokio::test]
async fn borg_ui_system_key_endpoints_have_borg_ui_shapes() {
    let (app, admin) = admin_app(test_settings()).await;
    let none = app.json(Method::GET, "/api/ssh-keys/system-key", &admin, None).await.json();
    assert_eq!(none, json!({"success": true, "exists": false, "ssh_key": null}));
    let res = app
        .json(
            Method::POST,
            "/api/ssh-keys/generate",
            &admin,
            Some(json!({"name": "System SSH Key", "key_type": "ed25519", "description": "for all"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "System SSH key generated successfully");
    let mut fields: Vec<_> = body["ssh_key"].as_object().unwrap().keys().cloned().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["description", "fingerprint", "id", "is_active", "is_system_key", "key_type", "name", "public_key"]
    );
    assert_eq!(body["ssh_key"]["is_system_key"], true);
    let got = app.json(Method::GET, "/api/ssh-keys/system-key", &admin, None).await.json();
    assert_eq!(got["exists"], true);
    let mut fields: Vec<_> = got["ssh_key"].as_object().unwrap().keys().cloned().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "active_connections",
            "connection_count",
            "created_at",
            "description",
            "fingerprint",
            "id",
            "is_active",
            "key_type",
            "name",
            "public_key",
            "updated_at"
        ]
    );
    assert_eq!(got["ssh_key"]["connection_count"], 0);
    let id = got["ssh_key"]["id"].as_i64().unwrap();
    let pub_line = app.json(Method::GET, &format!("/api/ssh-keys/{id}/public-key"), &admin, None).await;
    assert_eq!(pub_line.header("content-type").as_deref(), Some("text/plain; charset=utf-8"));
    assert!(pub_line.text().starts_with("ssh-ed25519 "));
    let detail = app.json(Method::GET, &format!("/api/ssh-keys/{id}"), &admin, None).await.json();
    assert!(detail["fingerprint_md5"].as_str().unwrap().starts_with("MD5:"));
    assert!(detail["randomart"].as_str().unwrap().contains("[ED25519 256]"));
    assert!(!detail.to_string().contains("PRIVATE"), "no private key in any answer");
}

#[tokio::test]
async fn twenty_concurrent_generates_make_exactly_one_system_key() {
    let (app, admin) = admin_app(test_settings()).await;
    let app = std::sync::Arc::new(app);
    let mut handles = Vec::new();
    for i in 0..20 {
        let (app, admin) = (app.clone(), admin.clone());
        handles.push(tokio::spawn(async move {
            let body = json!({"name": format!("System {i}"), "key_type": "ed25519"});
            app.json(Method::POST, "/api/ssh-keys/generate", &admin, Some(body)).await.status.as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
    let all = app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json();
    assert_eq!(all["ssh_keys"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_used_by_connections_is_deleted_as_borg_ui_does_and_they_stay_marked() {
    use keyhaven::server::entities::ssh_connection;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let (app, admin) = admin_app(test_settings()).await;
    let created =
        app.json(Method::POST, "/api/ssh-keys", &admin, Some(json!({"name": "backup", "key_type": "ecdsa"}))).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let key_id = created.json()["ssh_key"]["id"].as_i64().unwrap() as i32;
    let now = chrono::Utc::now();
    let conn = ssh_connection::ActiveModel {
        ssh_key_id: Set(Some(key_id)),
        host: Set("nas.example".into()),
        username: Set("backup".into()),
        port: Set(22),
        use_sftp_mode: Set(false),
        default_path: Set(None),
        ssh_path_prefix: Set(None),
        mount_point: Set(None),
        status: Set("connected".into()),
        last_test: Set(None),
        last_success: Set(None),
        error_message: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let listed = app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json();
    assert_eq!(listed["ssh_keys"][0]["connection_count"], 1);
    assert_eq!(listed["ssh_keys"][0]["active_connections"], 1);
    let refused = app.json(Method::DELETE, &format!("/api/ssh-keys/{key_id}?confirm=false"), &admin, None).await;
    assert_eq!(refused.status, 409);
    assert!(refused.json()["detail"].as_str().unwrap().contains("backup@nas.example:22"));
    // Borg UI's frontend sends no query: the key goes, and the answer names who used it.
    let done = app.json(Method::DELETE, &format!("/api/ssh-keys/{key_id}"), &admin, None).await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(done.text().contains("nas.example"), "{}", done.text());
    let after = ssh_connection::Entity::find_by_id(conn.id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(after.ssh_key_id, None);
    assert_eq!(after.status, "failed");
    assert_eq!(after.error_message.as_deref(), Some("SSH key deleted — deploy a new key to restore access"));
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_naming_the_field_and_changes_nothing() {
    let import_dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let settings =
        keyhaven::server::config::Settings { import_dirs: vec![import_dir.path().to_path_buf()], ..test_settings() };
    let (app, admin) = admin_app(settings).await;
    let keydir = tempfile::tempdir().unwrap();
    let good_path = openssh::keygen(keydir.path(), "good", "ed25519", None, None, "");
    let good = std::fs::read_to_string(&good_path).unwrap();
    let good_pub = std::fs::read_to_string(good_path.with_extension("pub")).unwrap();
    let other_pub = std::fs::read_to_string(
        openssh::keygen(keydir.path(), "other", "ed25519", None, None, "").with_extension("pub"),
    )
    .unwrap();
    let locked =
        std::fs::read_to_string(openssh::keygen(keydir.path(), "locked", "ecdsa", Some(256), None, "secret pass"))
            .unwrap();
    let weak =
        std::fs::read_to_string(openssh::keygen(keydir.path(), "weak", "rsa", Some(1024), Some("PEM"), "")).unwrap();
    let ca = openssh::keygen(keydir.path(), "ca", "ed25519", None, None, "");
    let cert = openssh::certificate(&ca, &good_path.with_extension("pub"));
    const DSA: &str = "-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQD\n-----END DSA PRIVATE KEY-----\n";
    // Seed: a system key and a named key that must survive every bad request unchanged.
    assert_eq!(
        app.json(Method::POST, "/api/ssh-keys/generate", &admin, Some(json!({"name": "System SSH Key"}))).await.status,
        200
    );
    assert_eq!(
        app.json(Method::POST, "/api/ssh-keys", &admin, Some(json!({"name": "existing", "private_key": good})))
            .await
            .status,
        201
    );
    let before = keys(&app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json());
    std::fs::write(outside.path().join("id"), &good).unwrap();
    std::os::unix::fs::symlink(outside.path().join("id"), import_dir.path().join("escape")).unwrap();
    std::fs::create_dir(import_dir.path().join("subdir")).unwrap();
    let inside = |p: &str| import_dir.path().join(p).to_string_lossy().into_owned();
    let named = "/api/ssh-keys";
    let truncated = &good[..good.len() / 2];
    let bad_base64 = good.replace(['A', 'B', 'C'], "!");
    let cases: Vec<(&str, &str, Value, u16, &str)> = vec![
        ("POST", named, json!({"name": ""}), 422, "name"),
        ("POST", named, json!({}), 422, "name"),
        ("POST", named, json!({"name": "a/b"}), 422, "name"),
        ("POST", named, json!({"name": ".."}), 422, "name"),
        ("POST", named, json!({"name": "../etc/passwd"}), 422, "name"),
        ("POST", named, json!({"name": "has\ttab"}), 422, "name"),
        ("POST", named, json!({"name": "two  spaces"}), 422, "name"),
        ("POST", named, json!({"name": "right\u{202e}left"}), 422, "name"),
        ("POST", named, json!({"name": "x".repeat(65)}), 422, "name"),
        ("POST", named, json!({"name": 7}), 422, "name"),
        ("POST", named, json!({"name": "existing"}), 409, "name"),
        ("POST", named, json!({"name": "k1", "description": "d".repeat(501)}), 422, "description"),
        ("POST", named, json!({"name": "k1", "comment": "two\nlines"}), 422, "comment"),
        ("POST", named, json!({"name": "k1", "comment": "c".repeat(256)}), 422, "comment"),
        ("POST", named, json!({"name": "k1", "private_key": good, "comment": "tab\there"}), 422, "comment"),
        ("POST", named, json!({"name": "k1", "key_type": "dsa"}), 422, "key_type"),
        ("POST", named, json!({"name": "k1", "key_type": "rsa", "key_size": 1024}), 422, "key_type"),
        ("POST", named, json!({"name": "k1", "key_type": "ecdsa", "key_size": 512}), 422, "key_type"),
        ("POST", named, json!({"name": "k1", "key_type": "quantum"}), 422, "key_type"),
        ("POST", named, json!({"name": "k1", "private_key": ""}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": "hello"}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": truncated}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": bad_base64}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": good_pub}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": cert}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": DSA}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": weak}), 422, "private_key"),
        (
            "POST",
            named,
            json!({"name": "k1", "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"}),
            422,
            "private_key",
        ),
        ("POST", named, json!({"name": "k1", "private_key": locked}), 422, "passphrase"),
        ("POST", named, json!({"name": "k1", "private_key": locked, "passphrase": "wrong"}), 422, "passphrase"),
        ("POST", named, json!({"name": "k1", "private_key": good, "public_key": other_pub}), 422, "public_key"),
        (
            "POST",
            named,
            json!({"name": "k1", "private_key": good, "public_key": "ssh-ed25519 garbage"}),
            422,
            "public_key",
        ),
        ("POST", named, json!({"name": "k2", "private_key": good}), 409, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": "x".repeat(70_000)}), 422, "private_key"),
        ("POST", named, json!({"name": "k1", "private_key": "x".repeat(10 * 1024 * 1024)}), 413, ""),
        ("POST", "/api/ssh-keys/generate", json!({"name": "Another"}), 409, "name"),
        ("POST", "/api/ssh-keys/generate", json!({"name": ""}), 422, "name"),
        ("POST", "/api/ssh-keys/generate", json!({"name": "a/../b"}), 422, "name"),
        ("POST", "/api/ssh-keys/generate", json!({"name": "S", "key_type": "dsa"}), 422, "key_type"),
        (
            "POST",
            "/api/ssh-keys/import",
            json!({"name": "S", "private_key_path": "/etc/ssh/ssh_host_ed25519_key"}),
            403,
            "",
        ),
        (
            "POST",
            "/api/ssh-keys/import",
            json!({"name": "S", "private_key_path": format!("{}/../../etc/shadow", inside(""))}),
            403,
            "",
        ),
        ("POST", "/api/ssh-keys/import", json!({"name": "S", "private_key_path": inside("escape")}), 403, ""),
        (
            "POST",
            "/api/ssh-keys/import",
            json!({"name": "S", "private_key_path": "relative/id"}),
            422,
            "private_key_path",
        ),
        ("POST", "/api/ssh-keys/import", json!({"name": "S"}), 422, "private_key_path"),
        (
            "POST",
            "/api/ssh-keys/import",
            json!({"name": "S", "private_key_path": inside("missing")}),
            422,
            "private_key_path",
        ),
        (
            "POST",
            "/api/ssh-keys/import",
            json!({"name": "S", "private_key_path": inside("subdir")}),
            422,
            "private_key_path",
        ),
        ("PUT", "/api/ssh-keys/2", json!({"name": "../x"}), 422, "name"),
        ("PUT", "/api/ssh-keys/abc", json!({"name": "x"}), 400, "id"),
        ("PUT", "/api/ssh-keys/9999", json!({"name": "x"}), 404, ""),
        ("DELETE", "/api/ssh-keys/9999", json!(null), 404, ""),
    ];
    assert!(cases.len() >= 40);
    for (method, path, body, status, field) in &cases {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (!body.is_null()).then(|| body.clone());
        let res = app.json(method.clone(), path, &admin, body).await;
        let shown = res.text().chars().take(300).collect::<String>();
        assert_eq!(res.status.as_u16(), *status, "{method} {path}: {shown}");
        let answer = res.json();
        assert_eq!(answer["success"], false, "{shown}");
        assert!(!answer["detail"].as_str().unwrap_or("").is_empty(), "{shown}");
        if !field.is_empty() {
            assert_eq!(answer["field"], *field, "{method} {path}: {shown}");
        }
        if *status == 403 {
            assert!(answer["detail"].as_str().unwrap().contains("KEYHAVEN_IMPORT_DIRS"), "{shown}");
        }
    }
    let after = keys(&app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json());
    assert_eq!(before, after, "nothing stored changed");
    let off = TestApp::new(sqlite().await);
    off.setup_admin("bob", PW).await;
    let bob = Auth::Bearer(off.api_login("bob", PW).await);
    let res = off
        .json(
            Method::POST,
            "/api/ssh-keys/import",
            &bob,
            Some(json!({"name": "S", "private_key_path": inside("escape")})),
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(res.json()["detail"].as_str().unwrap().contains("KEYHAVEN_IMPORT_DIRS"));
}
