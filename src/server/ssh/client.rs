//! The SSH client: connect, verify the host key against the trusted keys *before* anything about
//! us is sent, authenticate with a key held in memory, run commands. Every step has its deadline,
//! so a host that accepts TCP and then stays silent fails at the timeout, not later.

use super::error::SshError;
use russh::client::{self, Handle, Handler};
use russh::keys::ssh_key::{HashAlg, PrivateKey, PublicKey};
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Preferred};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;

/// How long each step may take (the connection settings).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// TCP connect plus handshake.
    pub connect: Duration,
    pub auth: Duration,
    /// Each command, start to exit.
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), auth: Duration::from_secs(10), command: Duration::from_secs(30) }
    }
}

/// What `check_server_key` concluded about the key the server proved it holds.
#[derive(Clone, Debug)]
enum Verdict {
    Trusted,
    Unknown { offered: String },
    Changed { offered: String },
}

pub struct Verifier {
    trusted: Vec<PublicKey>,
    verdict: Arc<Mutex<Option<Verdict>>>,
}

impl Handler for Verifier {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let verdict = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
                if self.trusted.iter().any(|t| t.key_data() == key.key_data()) {
                    Verdict::Trusted
                } else if self.trusted.is_empty() {
                    Verdict::Unknown { offered: fingerprint }
                } else {
                    Verdict::Changed { offered: fingerprint }
                }
            }
            PublicKeyOrCertificate::Certificate(_) => Verdict::Unknown { offered: "a certificate".into() },
        };
        let accepted = matches!(verdict, Verdict::Trusted);
        if let Ok(mut slot) = self.verdict.lock() {
            *slot = Some(verdict);
        }
        Ok(accepted)
    }
}

/// An open, host-verified SSH connection.
pub struct Session {
    pub(super) handle: Handle<Verifier>,
    pub(super) timeouts: Timeouts,
}

/// The most a remote command may print (stdout and stderr together). Keyhaven's own commands
/// print a few hundred bytes.
pub const MAX_OUTPUT: usize = 64 * 1024;

/// The output of one command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_status: Option<u32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

fn trusted_fingerprints(trusted: &[PublicKey]) -> String {
    trusted.iter().map(|k| k.fingerprint(HashAlg::Sha256).to_string()).collect::<Vec<_>>().join(", ")
}

/// Opens the TCP connection (the first stage a test reports), within the connect timeout.
pub async fn tcp(host: &str, port: u16, timeouts: Timeouts) -> Result<TcpStream, SshError> {
    match tokio::time::timeout(timeouts.connect, TcpStream::connect((host, port))).await {
        Err(_) => Err(SshError::Timeout { seconds: timeouts.connect.as_secs() }),
        Ok(Err(io)) => Err(SshError::from_io(&io, host)),
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
    }
}

/// Connects to `host:port` and accepts only a server holding one of `trusted` (`type base64`).
pub async fn connect(host: &str, port: u16, trusted: &[String], timeouts: Timeouts) -> Result<Session, SshError> {
    let started = tokio::time::Instant::now();
    let stream = tcp(host, port, timeouts).await?;
    let left = timeouts.connect.saturating_sub(started.elapsed());
    handshake(stream, trusted, Timeouts { connect: left.max(Duration::from_millis(1)), ..timeouts }).await.map_err(
        |err| match err {
            SshError::Timeout { .. } => SshError::Timeout { seconds: timeouts.connect.as_secs() },
            other => other,
        },
    )
}

/// Runs the SSH handshake on an open stream and checks the host key. The trusted key types are
/// offered first so the server proves the key we know.
pub async fn handshake(stream: TcpStream, trusted: &[String], timeouts: Timeouts) -> Result<Session, SshError> {
    let trusted: Vec<PublicKey> = trusted.iter().filter_map(|line| PublicKey::from_openssh(line).ok()).collect();
    let mut algorithms: Vec<_> = trusted
        .iter()
        .map(|k| match k.algorithm() {
            a if a.clone().is_rsa() => russh::keys::ssh_key::Algorithm::Rsa { hash: Some(HashAlg::Sha512) },
            a => a,
        })
        .collect();
    algorithms.extend(Preferred::DEFAULT.key.iter().filter(|a| !algorithms.contains(a)).cloned().collect::<Vec<_>>());
    let preferred = Preferred { key: Cow::Owned(algorithms), ..Preferred::DEFAULT };
    let config = Arc::new(client::Config { preferred, ..Default::default() });
    let verdict = Arc::new(Mutex::new(None));
    let verifier = Verifier { trusted: trusted.clone(), verdict: verdict.clone() };
    let outcome = tokio::time::timeout(timeouts.connect, client::connect_stream(config, stream, verifier)).await;
    let seen = verdict.lock().ok().and_then(|v| v.clone());
    match (outcome, seen) {
        (Ok(Ok(handle)), Some(Verdict::Trusted)) => Ok(Session { handle, timeouts }),
        (_, Some(Verdict::Unknown { offered })) => Err(SshError::HostKeyUnknown { offered }),
        (_, Some(Verdict::Changed { offered })) => {
            Err(SshError::HostKeyChanged { trusted: trusted_fingerprints(&trusted), offered })
        }
        (Err(_), _) => Err(SshError::Timeout { seconds: timeouts.connect.as_secs() }),
        (Ok(Err(other)), _) => Err(SshError::Protocol(other.to_string())),
        (Ok(Ok(_)), _) => Err(SshError::Protocol("the host key was never checked".into())),
    }
}

impl Session {
    /// Public-key authentication with a key decrypted in memory for this moment only.
    pub async fn authenticate_key(&mut self, username: &str, key: PrivateKey) -> Result<(), SshError> {
        let attempt = async {
            let hash = if key.algorithm().is_rsa() {
                self.handle.best_supported_rsa_hash().await.ok().flatten().flatten()
            } else {
                None
            };
            let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
            self.handle.authenticate_publickey(username, key).await
        };
        match tokio::time::timeout(self.timeouts.auth, attempt).await {
            Err(_) => Err(SshError::Timeout { seconds: self.timeouts.auth.as_secs() }),
            Ok(Err(err)) => Err(SshError::Protocol(err.to_string())),
            Ok(Ok(result)) if result.success() => Ok(()),
            Ok(Ok(_)) => Err(SshError::AuthRejected),
        }
    }

    /// Password authentication, for a deploy only: the host key is already verified (a `Session`
    /// exists only for a trusted host), and the password is neither kept nor logged.
    pub async fn authenticate_password(&mut self, username: &str, password: &str) -> Result<(), SshError> {
        let attempt = self.handle.authenticate_password(username, password);
        match tokio::time::timeout(self.timeouts.auth, attempt).await {
            Err(_) => Err(SshError::Timeout { seconds: self.timeouts.auth.as_secs() }),
            Ok(Err(err)) => Err(SshError::Protocol(err.to_string())),
            Ok(Ok(result)) if result.success() => Ok(()),
            Ok(Ok(_)) => Err(SshError::PasswordRejected),
        }
    }

    /// Runs `command`, feeding it `stdin` (then end-of-file), and collects its output.
    pub async fn exec(&self, command: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, SshError> {
        let protocol = |err: russh::Error| SshError::Protocol(err.to_string());
        let run = async {
            let mut channel = self.handle.channel_open_session().await.map_err(protocol)?;
            channel.exec(true, command).await.map_err(protocol)?;
            if let Some(input) = stdin {
                channel.data(input).await.map_err(protocol)?;
            }
            channel.eof().await.map_err(protocol)?;
            let mut output = ExecOutput::default();
            while let Some(message) = channel.wait().await {
                let arrived = match &message {
                    ChannelMsg::Data { data } | ChannelMsg::ExtendedData { data, .. } => data.len(),
                    _ => 0,
                };
                // A hostile or broken host could send without end: stop reading at the cap.
                if output.stdout.len() + output.stderr.len() + arrived > MAX_OUTPUT {
                    let _ = channel.close().await;
                    return Err(SshError::OutputTooLarge { limit: MAX_OUTPUT });
                }
                match message {
                    ChannelMsg::Data { data } => output.stdout.extend_from_slice(&data),
                    ChannelMsg::ExtendedData { data, ext: 1 } => output.stderr.extend_from_slice(&data),
                    ChannelMsg::ExitStatus { exit_status } => output.exit_status = Some(exit_status),
                    _ => {}
                }
            }
            Ok(output)
        };
        match tokio::time::timeout(self.timeouts.command, run).await {
            Err(_) => Err(SshError::Timeout { seconds: self.timeouts.command.as_secs() }),
            Ok(result) => result,
        }
    }

    /// Asks the remote to open a TCP connection to `host:port` (a `direct-tcpip` channel, as
    /// `ssh -W` does): can the remote reach it, and how long did it take. Runs no command, so it
    /// works for accounts without a shell where the server allows forwarding.
    pub async fn reach(&self, host: &str, port: u16, timeout: Duration) -> Result<Duration, SshError> {
        let started = std::time::Instant::now();
        let open = self.handle.channel_open_direct_tcpip(host, u32::from(port), "127.0.0.1", 0);
        match tokio::time::timeout(timeout, open).await {
            Err(_) => Err(SshError::Timeout { seconds: timeout.as_secs() }),
            Ok(Err(err)) => Err(SshError::Protocol(format!("the remote could not open {host}:{port}: {err}"))),
            Ok(Ok(channel)) => {
                let _ = channel.close().await;
                Ok(started.elapsed())
            }
        }
    }

    pub async fn close(self) {
        let _ = self.handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    }
}
