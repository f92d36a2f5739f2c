//! A Keyhaven with an admin and a system key, talking to a test sshd: the shared start of every
//! connection test against a real or fake SSH server.

use super::http::{Auth, TestApp};
use axum::http::Method;
use serde_json::{Value, json};

pub const ADMIN_PW: &str = "long enough password";

pub struct SshApp {
    pub app: TestApp,
    pub admin: Auth,
    /// The same admin signed in with a browser session, for server functions.
    pub browser: Auth,
    /// The system key's `.pub` line.
    pub system_key: String,
}

impl SshApp {
    pub async fn start(settings: Option<keyhaven::server::config::Settings>) -> SshApp {
        SshApp::start_on(super::sqlite().await, settings).await
    }

    /// The same on `db` (for tests run on every engine with `on_every_engine`).
    pub async fn start_on(db: super::TestDb, settings: Option<keyhaven::server::config::Settings>) -> SshApp {
        let app = match settings {
            Some(s) => TestApp::with_settings(db, s),
            None => TestApp::new(db),
        };
        app.setup_admin("alice", ADMIN_PW).await;
        let admin = Auth::Bearer(app.api_login("alice", ADMIN_PW).await);
        let res =
            app.json(Method::POST, "/api/ssh-keys/generate", &admin, Some(json!({"name": "System SSH Key"}))).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let system_key = res.json()["ssh_key"]["public_key"].as_str().unwrap().to_string();
        let browser = Auth::Session(app.browser_login("alice", ADMIN_PW).await);
        SshApp { app, admin, browser, system_key }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let res = self.app.json(method, path, &self.admin, body).await;
        let value = serde_json::from_str(&res.text()).unwrap_or(Value::Null);
        (res.status.as_u16(), value)
    }

    /// Trusts `host_key` (`type base64`) for 127.0.0.1:`port` through the known-hosts import.
    pub async fn trust(&self, port: u16, host_key: &str) {
        let text = format!("[127.0.0.1]:{port} {host_key}\n");
        let (status, body) =
            self.call(Method::POST, "/api/known-hosts/import", Some(json!({"known_hosts": text}))).await;
        assert_eq!(status, 200, "{body}");
    }

    pub async fn connection(&self, port: u16, username: &str, sftp: bool, default_path: Option<&str>) -> i64 {
        let body = json!({"host": "127.0.0.1", "port": port, "username": username, "use_sftp_mode": sftp,
            "default_path": default_path});
        let (status, body) = self.call(Method::POST, "/api/ssh-keys/connections", Some(body)).await;
        assert_eq!(status, 201, "{body}");
        body["connection"]["id"].as_i64().unwrap()
    }

    /// A saved connection to `account` on `sshd` that works: the system key authorized, the host's
    /// ed25519 key trusted.
    pub async fn working_connection(
        &self,
        sshd: &super::sshd::TestSshd,
        account: &super::accounts::TestAccount,
        sftp: bool,
    ) -> i64 {
        sshd.authorize(&account.name, &self.system_key);
        self.trust(sshd.port, &sshd.host_keys()[0]).await;
        self.connection(sshd.port, &account.name, sftp, None).await
    }

    pub async fn action(&self, id: i64, action: &str, body: Option<Value>) -> (u16, Value) {
        self.call(Method::POST, &format!("/api/ssh-keys/connections/{id}/{action}"), body).await
    }

    pub async fn listed(&self, id: i64) -> Value {
        let (_, body) = self.call(Method::GET, "/api/ssh-keys/connections", None).await;
        body["connections"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned().unwrap()
    }
}

/// Stage names and statuses, `name:status`, for compact assertions.
pub fn stage_summary(body: &Value) -> Vec<String> {
    body["stages"]
        .as_array()
        .map(|stages| {
            stages
                .iter()
                .map(|s| format!("{}:{}", s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// `df -k` here, for the directory `path`: (total, used, available) in bytes.
pub fn local_df(path: &std::path::Path) -> (u64, u64, u64) {
    let out = std::process::Command::new("df").args(["-k", "-P"]).arg(path).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let numbers: Vec<u64> = text.lines().nth(1).unwrap().split_whitespace().filter_map(|t| t.parse().ok()).collect();
    (numbers[0] * 1024, numbers[1] * 1024, numbers[2] * 1024)
}
