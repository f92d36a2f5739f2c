//! A Borg UI-shaped client, written from Borg UI's documented and observed contract, runs its whole
//! SSH flow against the real sshd: sign in form-encoded, the token only in `X-Borg-Authorization`
//! (behind a proxy that owns `Authorization` with Basic auth), the bodies its frontend sends
//! (empty paths as `""`, trailing-slash collections). Once with `host_key_policy = accept-new`, once
//! with `confirm` and a pinned `host_key_fingerprint`.

use crate::common::accounts::TestAccount;
use crate::common::http::{TestApp, TestResponse};
use crate::common::sshd::TestSshd;
use crate::common::{sqlite, test_settings};
use axum::body::Body;
use axum::http::{Method, Request, header};
use keyhaven::model::HostKeyPolicy;
use keyhaven::server::config::Settings;
use serde_json::{Value, json};

const PW: &str = "long enough password";

/// What Borg UI's axios client sends: its token header, the proxy's Basic header, JSON.
struct BorgUi<'a> {
    app: &'a TestApp,
    token: String,
}

impl BorgUi<'_> {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header("x-borg-authorization", format!("Bearer {}", self.token))
            .header(header::AUTHORIZATION, "Basic cHJveHk6c2VjcmV0")
            .header(header::CONTENT_TYPE, "application/json");
        let request = match body {
            Some(v) => request.body(Body::from(v.to_string())),
            None => request.body(Body::empty()),
        };
        let res: TestResponse = self.app.send(request.unwrap()).await;
        (res.status.as_u16(), serde_json::from_str(&res.text()).unwrap_or(Value::Null))
    }
}

async fn sign_in(app: &TestApp) -> String {
    let res = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/auth/login")
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("username=alice&password={}", PW.replace(' ', "+"))))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["token_type"], "bearer");
    res.json()["access_token"].as_str().unwrap().to_string()
}

async fn whole_flow(policy: HostKeyPolicy) {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let app = TestApp::with_settings(sqlite().await, Settings { host_key_policy: policy, ..test_settings() });
    app.setup_admin("alice", PW).await;
    let ui = BorgUi { app: &app, token: sign_in(&app).await };

    let (status, me) = ui.send(Method::GET, "/api/auth/me", None).await;
    assert_eq!(status, 200);
    assert!(me["global_permissions"].as_array().unwrap().contains(&json!("settings.ssh.manage")), "{me}");
    let (status, key) = ui
        .send(
            Method::POST,
            "/api/ssh-keys/generate",
            Some(json!({"name": "System SSH Key", "key_type": "ed25519",
            "description": "System SSH key for all remote connections"})),
        )
        .await;
    assert_eq!(status, 200, "{key}");
    let key_id = key["ssh_key"]["id"].as_i64().unwrap();
    let (status, system) = ui.send(Method::GET, "/api/ssh-keys/system-key", None).await;
    assert_eq!((status, system["exists"].as_bool()), (200, Some(true)));

    let mut machine = json!({"host": "127.0.0.1", "username": account.name, "port": sshd.port,
        "password": account.password, "use_sftp_mode": false, "default_path": "", "ssh_path_prefix": "",
        "mount_point": ""});
    if policy == HostKeyPolicy::Confirm {
        // A careful client pins the fingerprint it was shown (here, what the 409 offers).
        let (status, refused) =
            ui.send(Method::POST, &format!("/api/ssh-keys/{key_id}/deploy"), Some(machine.clone())).await;
        assert_eq!(status, 409, "{refused}");
        machine["host_key_fingerprint"] = refused["keys"][0]["fingerprint"].clone();
    }
    let (status, deployed) =
        ui.send(Method::POST, &format!("/api/ssh-keys/{key_id}/deploy"), Some(machine.clone())).await;
    assert_eq!((status, deployed["success"].as_bool()), (200, Some(true)), "{deployed}");
    let id = deployed["connection"]["id"].as_i64().unwrap();
    let (status, tested) =
        ui.send(Method::POST, &format!("/api/ssh-keys/{key_id}/test-connection"), Some(machine.clone())).await;
    assert_eq!(
        (status, tested["connection"]["id"].as_i64(), tested["connection"]["status"].as_str()),
        (200, Some(id), Some("connected"))
    );

    let (status, list) = ui.send(Method::GET, "/api/ssh-keys/connections/", None).await;
    assert_eq!((status, list["connections"].as_array().map(Vec::len)), (200, Some(1)), "{list}");
    let home = account.home.display().to_string();
    let edit = json!({"host": "127.0.0.1", "username": account.name, "port": sshd.port, "default_path": home,
        "mount_point": "", "use_sudo": false});
    let (status, edited) = ui.send(Method::PUT, &format!("/api/ssh-keys/connections/{id}"), Some(edit)).await;
    assert_eq!((status, edited["connection"]["default_path"].as_str()), (200, Some(home.as_str())), "{edited}");

    let (status, diag) = ui
        .send(
            Method::POST,
            &format!("/api/ssh-keys/connections/{id}/diagnostics"),
            Some(json!({"timeout_seconds": 5, "speed_probe_bytes": 262_144})),
        )
        .await;
    assert_eq!((status, diag["session"]["status"].as_str()), (200, Some("ok")), "{diag}");
    let (status, borg) = ui.send(Method::POST, &format!("/api/ssh-keys/connections/{id}/verify-borg"), None).await;
    assert_eq!(status, 200, "{borg}");
    assert!(borg["installed"].is_boolean() || borg["installed"].is_null(), "{borg}");

    let params =
        format!("connection_type=ssh&ssh_key_id={key_id}&host=127.0.0.1&username={}&port={}", account.name, sshd.port);
    let folder = json!({"path": home, "folder_name": "borg-repos", "connection_type": "ssh", "ssh_key_id": key_id,
        "host": "127.0.0.1", "username": account.name, "port": sshd.port});
    let (status, made) = ui.send(Method::POST, "/api/filesystem/create-folder", Some(folder)).await;
    assert_eq!((status, made["success"].as_bool()), (200, Some(true)), "{made}");
    let (status, listing) = ui.send(Method::GET, &format!("/api/filesystem/browse?path=/&{params}"), None).await;
    assert_eq!(
        (status, listing["current_path"].as_str()),
        (200, Some(home.as_str())),
        "/ opens default_path: {listing}"
    );
    assert!(
        listing["items"].as_array().unwrap().iter().any(|i| i["name"] == "borg-repos" && i["is_directory"] == true)
    );
    let (status, valid) =
        ui.send(Method::POST, &format!("/api/filesystem/validate-path?path={home}/borg-repos&{params}"), None).await;
    assert_eq!((status, valid["exists"].as_bool(), valid["is_directory"].as_bool()), (200, Some(true), Some(true)));

    let (status, _) = ui.send(Method::DELETE, &format!("/api/ssh-keys/connections/{id}"), None).await;
    assert_eq!(status, 200);
    let (_, list) = ui.send(Method::GET, "/api/ssh-keys/connections", None).await;
    assert_eq!(list["connections"], json!([]));
    let (status, _) = ui.send(Method::POST, "/api/auth/logout", None).await;
    assert_eq!(status, 200);
    assert_eq!(ui.send(Method::GET, "/api/ssh-keys", None).await.0, 401, "the token ended with the sign-out");
}

#[tokio::test]
async fn the_whole_flow_with_accept_new() {
    whole_flow(HostKeyPolicy::AcceptNew).await;
}

#[tokio::test]
async fn the_whole_flow_with_confirm_and_a_pinned_fingerprint() {
    whole_flow(HostKeyPolicy::Confirm).await;
}
