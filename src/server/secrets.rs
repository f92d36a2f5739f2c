//! Envelope encryption of secrets at rest (private keys): AES-256-GCM under a master key that is
//! never stored in the database.
//!
//! An envelope is `khenc1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The key id (the first 16
//! hex digits of the master key's SHA-256) tells which master key sealed it, so that rotation can
//! re-encrypt everything and a wrong master key is detected before anything is touched. The
//! associated data binds each envelope to its purpose and row, so ciphertexts cannot be swapped.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

const PREFIX: &str = "khenc1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("master key must be 32 bytes, base64-encoded")]
    BadMasterKey,
    #[error("this secret was sealed with master key {found}, but the master key in use is {current}")]
    WrongKey { found: String, current: String },
    #[error("the secret could not be decrypted (damaged, or bound to another record)")]
    Damaged,
    #[error("cannot read or write the master key file: {0}")]
    Io(String),
}

/// A master key. `Debug` shows only its id.
pub struct MasterKey {
    id: String,
    key: LessSafeKey,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({}, ***)", self.id)
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<MasterKey, SecretError> {
        if bytes.len() != 32 {
            return Err(SecretError::BadMasterKey);
        }
        let id = hex::encode(&Sha256::digest(bytes)[..8]);
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| SecretError::BadMasterKey)?);
        Ok(MasterKey { id, key })
    }

    pub fn from_base64(text: &str) -> Result<MasterKey, SecretError> {
        let bytes = Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| SecretError::BadMasterKey)?);
        MasterKey::from_bytes(&bytes)
    }

    /// A new random key and its base64 text (to be written to the key file).
    pub fn generate() -> Result<(MasterKey, Zeroizing<String>), SecretError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(bytes.as_mut()).map_err(|_| SecretError::Io("no randomness".into()))?;
        let text = Zeroizing::new(STANDARD.encode(bytes.as_ref()));
        Ok((MasterKey::from_bytes(bytes.as_ref())?, text))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Result<String, SecretError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| SecretError::Io("no randomness".into()))?;
        let mut buffer = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad.as_bytes()), &mut buffer)
            .map_err(|_| SecretError::Damaged)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buffer);
        Ok(format!("{PREFIX}:{}:{}", self.id, STANDARD.encode(out)))
    }

    pub fn open(&self, envelope: &str, aad: &str) -> Result<Zeroizing<Vec<u8>>, SecretError> {
        let mut parts = envelope.splitn(3, ':');
        let (Some(PREFIX), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SecretError::Damaged);
        };
        if id != self.id {
            return Err(SecretError::WrongKey { found: id.to_string(), current: self.id.clone() });
        }
        let raw = STANDARD.decode(body).map_err(|_| SecretError::Damaged)?;
        if raw.len() < NONCE_LEN {
            return Err(SecretError::Damaged);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Damaged)?;
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut buffer)
            .map_err(|_| SecretError::Damaged)?
            .len();
        buffer.truncate(plain_len);
        Ok(buffer)
    }
}

/// The key id an envelope was sealed with.
pub fn envelope_key_id(envelope: &str) -> Option<&str> {
    envelope.split(':').nth(1)
}

/// Loads the master key: `KEYHAVEN_MASTER_KEY` (base64) if set, else the key file, which is created
/// with mode 0600 on first run. Returns the key and whether the file was just created.
pub fn load_or_create(env_key: Option<&str>, file: &Path) -> Result<(MasterKey, bool), SecretError> {
    if let Some(text) = env_key.filter(|t| !t.trim().is_empty()) {
        return Ok((MasterKey::from_base64(text)?, false));
    }
    match std::fs::read_to_string(file) {
        Ok(text) => Ok((MasterKey::from_base64(&text)?, false)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let (key, text) = MasterKey::generate()?;
            write_key_file(file, &text)?;
            Ok((key, true))
        }
        Err(err) => Err(SecretError::Io(format!("{}: {err}", file.display()))),
    }
}

/// Writes a key file atomically with mode 0600 (temp file, fsync, rename).
pub fn write_key_file(file: &Path, base64_key: &str) -> Result<(), SecretError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |e: std::io::Error| SecretError::Io(format!("{}: {e}", file.display()));
    let tmp = file.with_extension("tmp");
    let mut handle =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp).map_err(io)?;
    handle.write_all(format!("{base64_key}\n").as_bytes()).map_err(io)?;
    handle.sync_all().map_err(io)?;
    std::fs::rename(&tmp, file).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_purpose() {
        let (key, _) = MasterKey::generate().unwrap();
        let envelope = key.seal(b"secret bytes", "ssh_key:SHA256:abc").unwrap();
        assert!(envelope.starts_with(&format!("khenc1:{}:", key.id())));
        assert!(!envelope.contains("secret"));
        assert_eq!(key.open(&envelope, "ssh_key:SHA256:abc").unwrap().as_slice(), b"secret bytes");
        assert_eq!(key.open(&envelope, "ssh_key:SHA256:other").unwrap_err(), SecretError::Damaged);
        let (other, _) = MasterKey::generate().unwrap();
        assert!(matches!(other.open(&envelope, "ssh_key:SHA256:abc"), Err(SecretError::WrongKey { .. })));
        assert_ne!(key.seal(b"x", "a").unwrap(), key.seal(b"x", "a").unwrap(), "fresh nonce each time");
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("master.key");
        let (first, created) = load_or_create(None, &file).unwrap();
        assert!(created);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        let (again, created) = load_or_create(None, &file).unwrap();
        assert!(!created);
        assert_eq!(first.id(), again.id());
        assert_eq!(MasterKey::from_base64("c2hvcnQ=").unwrap_err(), SecretError::BadMasterKey);
    }
}
