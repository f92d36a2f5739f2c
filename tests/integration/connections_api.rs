//! Connections over Borg UI's endpoints: the exact field set, updates that keep, set or clear a
//! field (and reset the status when the login changes), roles, and 30 bad inputs named by field.

use crate::common::http::{Auth, TestApp};
use crate::common::on_every_engine;
use axum::http::Method;
use keyhaven::server::entities::ssh_connection;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

const PW: &str = "long enough password";
const FIELDS: [&str; 17] = [
    "created_at",
    "default_path",
    "error_message",
    "host",
    "id",
    "last_success",
    "last_test",
    "mount_point",
    "port",
    "ssh_key_id",
    "ssh_key_name",
    "ssh_path_prefix",
    "status",
    "storage",
    "use_sftp_mode",
    "use_sudo",
    "username",
];

fn fields(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn connections_keep_set_and_clear_fields_and_reset_status_when_the_login_changes() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        app.create_user(&admin, "vic", PW, "viewer").await;
        let viewer = Auth::Bearer(app.api_login("vic", PW).await);
        let system = app.json(Method::POST, "/api/ssh-keys/generate", &admin, Some(json!({"name": "System SSH Key"}))).await;
        let system_id = system.json()["ssh_key"]["id"].clone();

        let body = json!({"host": "u123.your-storagebox.de", "username": "u123", "port": 23, "use_sftp_mode": true, "default_path": "/home"});
        let res = app.json(Method::POST, "/api/ssh-keys/connections", &admin, Some(body.clone())).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let created = res.json()["connection"].clone();
        assert_eq!(fields(&created), FIELDS);
        assert_eq!(created["ssh_key_id"], system_id, "the system key unless another is chosen");
        assert_eq!(created["ssh_key_name"], "System SSH Key");
        assert_eq!((created["status"].as_str(), created["storage"].is_null()), (Some("unknown"), true));
        let id = created["id"].as_i64().unwrap();
        let path = format!("/api/ssh-keys/connections/{id}");

        assert_eq!(app.json(Method::POST, "/api/ssh-keys/connections", &viewer, Some(body)).await.status, 403);
        assert_eq!(app.json(Method::PUT, &path, &viewer, Some(json!({"port": 22}))).await.status, 403);
        assert_eq!(app.json(Method::DELETE, &path, &viewer, None).await.status, 403);
        assert_eq!(app.json(Method::GET, "/api/ssh-keys/connections", &Auth::Anonymous, None).await.status, 401);
        let listed = app.json(Method::GET, "/api/ssh-keys/connections", &viewer, None).await.json();
        assert_eq!(listed["connections"], json!([created.clone()]));

        // A change that does not touch the login keeps the status; one that does resets it.
        let mut row: ssh_connection::ActiveModel = ssh_connection::Entity::find_by_id(i32::try_from(id).unwrap()).one(&app.db.conn).await.unwrap().unwrap().into();
        row.status = Set("connected".into());
        row.update(&app.db.conn).await.unwrap();
        let res = app.json(Method::PUT, &path, &admin, Some(json!({"ssh_path_prefix": "/volume1", "default_path": null}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let updated = res.json()["connection"].clone();
        assert_eq!((updated["ssh_path_prefix"].as_str(), updated["default_path"].is_null()), (Some("/volume1"), true));
        assert_eq!((updated["port"].as_u64(), updated["host"].as_str()), (Some(23), Some("u123.your-storagebox.de")));
        assert_eq!(updated["status"], "connected");
        let res = app.json(Method::PUT, &path, &admin, Some(json!({"use_sudo": true}))).await;
        assert_eq!((res.json()["connection"]["use_sudo"].as_bool(), res.json()["connection"]["status"].as_str()), (Some(true), Some("connected")), "stored, and no login change");
        let listed = app.json(Method::GET, "/api/ssh-keys/connections/", &viewer, None).await.json();
        assert_eq!(listed["connections"][0]["use_sudo"], true, "returned, also under Borg UI's trailing slash");
        let res = app.json(Method::PUT, &path, &admin, Some(json!({"port": 22}))).await;
        assert_eq!(res.json()["connection"]["status"], "unknown");
        assert_eq!(res.json()["connection"]["ssh_path_prefix"], "/volume1");
        let res = app.json(Method::PUT, &path, &admin, Some(json!({"ssh_key_id": null}))).await;
        assert!(res.json()["connection"]["ssh_key_id"].is_null());

        assert_eq!(app.json(Method::DELETE, &path, &admin, None).await.status, 200);
        assert_eq!(app.json(Method::DELETE, &path, &admin, None).await.status, 404);
        let audit = app.json(Method::GET, "/api/audit?action=connection", &admin, None).await.json();
        let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["connection.deleted", "connection.updated", "connection.updated", "connection.updated", "connection.updated", "connection.created"]);
    })
    .await;
}

#[tokio::test]
async fn thirty_bad_connection_fields_are_each_named_and_change_nothing() {
    let app = TestApp::new(crate::common::sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    let good = json!({"host": "nas.example", "username": "backup", "port": 22});
    let res = app.json(Method::POST, "/api/ssh-keys/connections", &admin, Some(good.clone())).await;
    assert_eq!(res.status, 201);
    let id = res.json()["connection"]["id"].as_i64().unwrap();
    let before = app.json(Method::GET, "/api/ssh-keys/connections", &admin, None).await.json();
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!({"username": "backup"}), "host"),
        (with("host", json!("")), "host"),
        (with("host", json!("-oProxyCommand=sh")), "host"),
        (with("host", json!("backup@nas.example")), "host"),
        (with("host", json!("ssh://nas.example")), "host"),
        (with("host", json!("nas.example:22")), "host"),
        (with("host", json!("nas example")), "host"),
        (with("host", json!("nas_example.local")), "host"),
        (with("host", json!("x".repeat(300))), "host"),
        (with("host", json!(42)), "host"),
        (json!({"host": "nas.example"}), "username"),
        (with("username", json!("")), "username"),
        (with("username", json!("-oStrictHostKeyChecking=no")), "username"),
        (with("username", json!("back up")), "username"),
        (with("username", json!("root@nas")), "username"),
        (with("username", json!("u".repeat(65))), "username"),
        (with("username", json!("a;rm -rf /")), "username"),
        (with("port", json!(0)), "port"),
        (with("port", json!(65536)), "port"),
        (with("port", json!(-22)), "port"),
        (with("port", json!("22")), "port"),
        (with("ssh_key_id", json!(9999)), "ssh_key_id"),
        (with("ssh_key_id", json!("one")), "ssh_key_id"),
        (with("use_sftp_mode", json!("yes")), "use_sftp_mode"),
        (with("default_path", json!("relative/path")), "default_path"),
        (with("default_path", json!("/line\nbreak")), "default_path"),
        (with("default_path", json!(format!("/{}", "p".repeat(1100)))), "default_path"),
        (with("ssh_path_prefix", json!("volume1")), "ssh_path_prefix"),
        (with("mount_point", json!("~/mnt")), "mount_point"),
        (with("mount_point", json!(7)), "mount_point"),
    ];
    assert!(cases.len() >= 30);
    for (body, field) in &cases {
        for (method, path) in [
            (Method::POST, "/api/ssh-keys/connections".to_string()),
            (Method::PUT, format!("/api/ssh-keys/connections/{id}")),
        ] {
            // An update without the field is fine, so the "missing host/username" cases are for POST only.
            if method == Method::PUT && body.get(*field).is_none() {
                continue;
            }
            let res = app.json(method.clone(), &path, &admin, Some(body.clone())).await;
            assert_eq!(res.status, 422, "{method} {body}: {}", res.text());
            assert_eq!(res.json()["field"], *field, "{method} {body}");
        }
    }
    assert_eq!(app.json(Method::GET, "/api/ssh-keys/connections", &admin, None).await.json(), before);
    let res = app.json(Method::PUT, "/api/ssh-keys/connections/abc", &admin, Some(good)).await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn a_test_cut_short_by_a_restart_is_reset_to_unknown_at_start_up() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        let mut ids = Vec::new();
        for host in ["a.example", "b.example"] {
            let body = json!({"host": host, "username": "backup", "port": 22});
            let res = app.json(Method::POST, "/api/ssh-keys/connections", &admin, Some(body)).await;
            ids.push(i32::try_from(res.json()["connection"]["id"].as_i64().unwrap()).unwrap());
        }
        for (id, status) in ids.iter().zip(["testing", "connected"]) {
            let mut row: ssh_connection::ActiveModel =
                ssh_connection::Entity::find_by_id(*id).one(&app.db.conn).await.unwrap().unwrap().into();
            row.status = Set(status.into());
            row.update(&app.db.conn).await.unwrap();
        }
        let reset = keyhaven::server::services::connections::reset_interrupted_tests(&app.db.conn).await.unwrap();
        assert_eq!(reset, 1);
        let listed = app.json(Method::GET, "/api/ssh-keys/connections", &admin, None).await.json();
        let statuses: Vec<&str> =
            listed["connections"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["unknown", "connected"]);
    })
    .await;
}

#[tokio::test]
async fn pages_of_25_and_a_health_summary_counted_by_the_database() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        app.json(Method::POST, "/api/ssh-keys/generate", &admin, Some(json!({"name": "System SSH Key"}))).await;
        for i in 0..30 {
            let body = json!({"host": format!("h{i}.example"), "username": "backup", "port": 22});
            assert_eq!(app.json(Method::POST, "/api/ssh-keys/connections", &admin, Some(body)).await.status, 201);
        }
        let mut rows = ssh_connection::Entity::find().all(&app.db.conn).await.unwrap().into_iter();
        for (status, used) in [("connected", 50), ("connected", 95), ("failed", 10)] {
            let mut row: ssh_connection::ActiveModel = rows.next().unwrap().into();
            if status == "failed" {
                row.ssh_key_id = Set(None); // its key was deleted
            }
            row.status = Set(status.into());
            row.storage_total = Set(Some(100));
            row.storage_used = Set(Some(used));
            row.storage_available = Set(Some(100 - used));
            row.storage_checked_at = Set(Some(chrono::Utc::now()));
            row.update(&app.db.conn).await.unwrap();
        }
        let browser = Auth::Session(app.browser_login("alice", PW).await);
        let page = |n: &'static str| {
            let (app, admin) = (&app, &browser);
            async move { app.get_page(&format!("/rpc/list_connections_page?page={n}"), admin).await }
        };
        let second = page("2").await.json();
        assert_eq!(
            (second["total"].as_u64(), second["page"].as_u64(), second["pages"].as_u64()),
            (Some(30), Some(2), Some(2))
        );
        let hosts: Vec<&str> = second["rows"].as_array().unwrap().iter().map(|c| c["host"].as_str().unwrap()).collect();
        assert_eq!(hosts, ["h25.example", "h26.example", "h27.example", "h28.example", "h29.example"]);
        let first = page("1").await.json();
        assert_eq!(first["rows"].as_array().unwrap().len(), 25);
        let key_names: Vec<&Value> =
            first["rows"].as_array().unwrap()[..4].iter().map(|c| &c["ssh_key_name"]).collect();
        assert_eq!(
            key_names,
            [&json!("System SSH Key"), &json!("System SSH Key"), &Value::Null, &json!("System SSH Key")]
        );
        let past_end = page("99").await.json();
        assert_eq!(
            (past_end["page"].as_u64(), past_end["total"].as_u64(), past_end["rows"].as_array().map(Vec::len)),
            (Some(2), Some(30), Some(5)),
            "past the end shows the last page"
        );
        assert_eq!(page("0").await.json()["page"], 1);

        let health = app.get_page("/rpc/get_connection_health", &browser).await.json();
        assert_eq!(
            (health["total"].as_u64(), health["connected"].as_u64(), health["failed"].as_u64()),
            (Some(30), Some(2), Some(1))
        );
        let fullest: Vec<f64> =
            health["fullest"].as_array().unwrap().iter().map(|f| f[1]["percent_used"].as_f64().unwrap()).collect();
        assert_eq!(fullest, [95.0, 50.0, 10.0], "fullest first");
        assert_eq!(app.get_page("/rpc/get_connection_health", &Auth::Anonymous).await.status, 401);
    })
    .await;
}
