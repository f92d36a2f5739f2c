//! Host key scanning, what `ssh-keyscan` does, in process: one handshake per host key type, each
//! stopped right after the server has proved it holds the key (its signature is verified before
//! `check_server_key` runs) and before anything is sent about us. Nothing is trusted here; the
//! caller shows the fingerprints and lets a person decide.

use super::error::SshError;
use russh::client::{self, Handler};
use russh::keys::PublicKeyOrCertificate;
use russh::keys::ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One host key a server offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostKey {
    /// The OpenSSH type name, e.g. `ssh-ed25519`.
    pub key_type: String,
    /// `type base64`, as a known_hosts line carries it.
    pub public_key: String,
    /// `SHA256:…` as OpenSSH prints it.
    pub fingerprint: String,
}

/// The host key types asked for, one handshake each (RSA once, signed with SHA-512).
const SCANNED: [Algorithm; 5] = [
    Algorithm::Ed25519,
    Algorithm::Ecdsa { curve: EcdsaCurve::NistP256 },
    Algorithm::Ecdsa { curve: EcdsaCurve::NistP384 },
    Algorithm::Ecdsa { curve: EcdsaCurve::NistP521 },
    Algorithm::Rsa { hash: Some(HashAlg::Sha512) },
];

/// Remembers the key the server proved it holds, then ends the handshake.
struct Capture(Arc<Mutex<Option<PublicKey>>>);

impl Handler for Capture {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        if let (PublicKeyOrCertificate::PublicKey { key, .. }, Ok(mut slot)) = (offered, self.0.lock()) {
            *slot = Some(key.clone());
        }
        Ok(false)
    }
}

/// How many handshakes one scan keeps open at once. Two keep a scan quick while several scans of
/// one host (a page and a trust, two admins) stay under sshd's `MaxStartups` (10 by default).
pub const PARALLEL: usize = 2;

/// Asks `host:port` for each host key type, `PARALLEL` handshakes at a time, each within
/// `timeout`. A host that fails outright (refused, unreachable, silent) fails the first attempt,
/// so the scan stops there instead of waiting out every key type.
pub async fn scan(host: &str, port: u16, timeout: Duration) -> Result<Vec<HostKey>, SshError> {
    use futures::StreamExt;
    let attempts: Vec<_> = SCANNED.into_iter().map(|algorithm| scan_one(host, port, algorithm, timeout)).collect();
    let mut results = futures::stream::iter(attempts).buffered(PARALLEL);
    let mut keys: Vec<HostKey> = Vec::new();
    while let Some(result) = results.next().await {
        match result {
            Ok(Some(key)) if !keys.iter().any(|k| k.public_key == key.public_key) => keys.push(key),
            Ok(_) => {}
            Err(err) if keys.is_empty() => return Err(err),
            Err(err) => tracing::debug!(host, port, error = %err, "one host key type failed to scan"),
        }
    }
    if keys.is_empty() { Err(SshError::NoHostKeys) } else { Ok(keys) }
}

/// One handshake offering only `algorithm`. `Ok(None)`: the server has no key of that type.
async fn scan_one(host: &str, port: u16, algorithm: Algorithm, timeout: Duration) -> Result<Option<HostKey>, SshError> {
    let preferred = russh::Preferred { key: Cow::Owned(vec![algorithm]), ..russh::Preferred::DEFAULT };
    let config = Arc::new(client::Config { preferred, inactivity_timeout: Some(timeout), ..Default::default() });
    let slot = Arc::new(Mutex::new(None));
    let attempt = client::connect(config, (host, port), Capture(slot.clone()));
    let outcome = tokio::time::timeout(timeout, attempt).await;
    let captured = slot.lock().ok().and_then(|mut s| s.take());
    if let Some(key) = captured {
        return host_key(&key).map(Some);
    }
    match outcome {
        Err(_) => Err(SshError::Timeout { seconds: timeout.as_secs() }),
        Ok(Ok(_)) => Err(SshError::Protocol("the server accepted a handshake it should not have".into())),
        Ok(Err(russh::Error::NoCommonAlgo { .. })) => Ok(None),
        Ok(Err(russh::Error::IO(io))) => Err(SshError::from_io(&io, host)),
        Ok(Err(other)) => Err(SshError::Protocol(other.to_string())),
    }
}

fn host_key(key: &PublicKey) -> Result<HostKey, SshError> {
    let line = key.to_openssh().map_err(|e| SshError::Malformed(e.to_string()))?;
    let public_key = line.split(' ').take(2).collect::<Vec<_>>().join(" ");
    Ok(HostKey {
        key_type: key.algorithm().as_str().to_string(),
        public_key,
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
    })
}
