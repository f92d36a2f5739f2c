//! An in-process russh server for faults a real sshd cannot stage on demand: a host key that is
//! not the trusted one, a host that never speaks, and a record of every password sent to it.

use keyhaven::server::ssh::keys::{self, KeySpec};
use russh::keys::ssh_key::PrivateKey;
use russh::server::{Auth, Config, Handler};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

pub struct FakeSshd {
    pub port: u16,
    /// `type base64` of the key this server proves.
    pub host_key: String,
    /// User names of every password attempt (the passwords themselves are not kept).
    pub password_attempts: Arc<Mutex<Vec<String>>>,
}

struct Recorder {
    attempts: Arc<Mutex<Vec<String>>>,
}

impl Handler for Recorder {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, _password: &str) -> Result<Auth, Self::Error> {
        self.attempts.lock().unwrap().push(user.to_string());
        Ok(Auth::reject())
    }
}

/// A fresh private key of `spec` and its `type base64` line.
pub async fn host_key(spec: KeySpec) -> (PrivateKey, String) {
    let material = keys::generate(spec, "fake-host").await.unwrap();
    let private = keys::private_from_openssh(&material.private_openssh).unwrap();
    let line = material.public_openssh.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    (private, line)
}

impl FakeSshd {
    /// Serves SSH with `key` on a loopback port; every login is refused.
    pub async fn start(key: PrivateKey, host_key: String) -> FakeSshd {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = Arc::new(Config {
            keys: vec![key],
            auth_rejection_time: Duration::from_millis(10),
            auth_rejection_time_initial: Some(Duration::ZERO),
            ..Default::default()
        });
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let recorded = attempts.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Recorder { attempts: recorded.clone() };
                let config = config.clone();
                tokio::spawn(async move {
                    if let Ok(session) = russh::server::run_stream(config, stream, handler).await {
                        let _ = session.await;
                    }
                });
            }
        });
        FakeSshd { port, host_key, password_attempts: attempts }
    }

    pub fn attempts(&self) -> Vec<String> {
        self.password_attempts.lock().unwrap().clone()
    }
}

/// Accepts TCP connections and never says a word.
pub async fn silent_host() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    (port, task)
}
