//! The release Keyhaven the round runs in: started on a prepared data dir, signed in as a browser
//! is, and watched from outside (its resident memory), so the round is measured as it runs for an
//! operator — the scheduler, the web server and SQLite in one process.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "admin password 1";

pub struct Server {
    child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary `scripts/build-release.sh` makes, or `KEYHAVEN_BENCH_BIN` to measure another build.
fn binary() -> String {
    std::env::var("KEYHAVEN_BENCH_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/keyhaven").to_string())
}

impl Server {
    /// Starts `keyhaven serve` on `data_dir` with the given extra environment and waits for `/healthz`.
    pub async fn start(data_dir: &Path, env: &[(&str, String)]) -> Server {
        let bin = binary();
        assert!(Path::new(&bin).exists(), "{bin} is missing: run scripts/build-release.sh first");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let mut command = Command::new(&bin);
        command
            .arg("serve")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("KEYHAVEN_DATA_DIR", data_dir)
            .env("KEYHAVEN_LISTEN", format!("127.0.0.1:{port}"))
            .env("KEYHAVEN_LOG", "warn")
            .stdin(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start keyhaven");
        // The client is plain HTTP on loopback; rustls needs a provider chosen before any client.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .expect("client");
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), http };
        for _ in 0..600 {
            if let Ok(res) = server.http.get(format!("{}/healthz", server.base)).send().await
                && res.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("keyhaven did not answer /healthz within a minute");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Makes the admin (`POST /api/setup`) and signs in through the login form, as a browser does:
    /// the pages refuse API tokens. Returns the `Cookie` header value.
    pub async fn admin_session(&self) -> String {
        let setup = self
            .http
            .post(format!("{}/api/setup", self.base))
            .header("content-type", "application/json")
            .body(serde_json::json!({ "username": ADMIN, "password": PASSWORD }).to_string())
            .send()
            .await
            .expect("setup");
        assert!(setup.status().is_success(), "setup: {}", setup.status());
        let login = self
            .http
            .post(format!("{}/rpc/login", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("username", ADMIN), ("password", PASSWORD)]).expect("form"))
            .send()
            .await
            .expect("login");
        login
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|c| c.starts_with("keyhaven_session="))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("login gave no session cookie ({})", login.status()))
    }
}

/// A process's resident memory, in bytes (0 once it is gone).
pub fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
