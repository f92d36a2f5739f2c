//! Old-style encrypted PEM keys (`Proc-Type: 4,ENCRYPTED` with `DEK-Info`), as `ssh-keygen -m PEM`
//! and `openssl` write them. russh decrypts only RSA keys of this kind (and panics on AES-256), so
//! Keyhaven decrypts them itself and hands russh the plain PEM block.

use super::error::SshError;
use aws_lc_rs::cipher::{AES_128, AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey};
use base64::Engine;
use zeroize::Zeroizing;

/// If `text` is a legacy encrypted PEM key, decrypts it with `passphrase` and returns the same key
/// as an unencrypted PEM block; otherwise `Ok(None)`.
pub fn decrypt(text: &str, passphrase: Option<&str>) -> Result<Option<Zeroizing<String>>, SshError> {
    if !text.contains("Proc-Type: 4,ENCRYPTED") {
        return Ok(None);
    }
    let passphrase = passphrase.ok_or(SshError::PassphraseRequired)?;
    let label = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("-----BEGIN ").and_then(|r| r.strip_suffix("-----")))
        .ok_or_else(|| SshError::Malformed("no PEM header".into()))?
        .to_string();
    let dek = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("DEK-Info:"))
        .ok_or_else(|| SshError::Malformed("encrypted PEM without DEK-Info".into()))?;
    let (cipher, iv_hex) = dek.trim().split_once(',').ok_or_else(|| SshError::Malformed("bad DEK-Info".into()))?;
    let iv: [u8; 16] = hex::decode(iv_hex.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| SshError::Malformed("bad DEK-Info IV".into()))?;
    let (algorithm, key_len) = match cipher.trim() {
        "AES-128-CBC" => (&AES_128, 16),
        "AES-256-CBC" => (&AES_256, 32),
        other => {
            return Err(SshError::Malformed(format!(
                "{other} encryption is not supported; re-encrypt the key with `ssh-keygen -p -f FILE`"
            )));
        }
    };
    let body: String =
        text.lines().map(str::trim).filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.is_empty()).collect();
    let mut data = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| SshError::Malformed("the PEM body is not valid base64".into()))?;
    let key = evp_bytes_to_key(passphrase.as_bytes(), &iv[..8], key_len);
    let unbound = UnboundCipherKey::new(algorithm, &key).map_err(|_| SshError::WrongPassphrase)?;
    let decrypting = PaddedBlockDecryptingKey::cbc_pkcs7(unbound).map_err(|_| SshError::WrongPassphrase)?;
    let plain = decrypting
        .decrypt(&mut data, DecryptionContext::Iv128(iv.into()))
        .map_err(|_| SshError::WrongPassphrase)?
        .to_vec();
    let plain = Zeroizing::new(plain);
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(plain.as_slice()));
    let mut pem = Zeroizing::new(format!("-----BEGIN {label}-----\n"));
    for chunk in encoded.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    Ok(Some(pem))
}

/// OpenSSL's EVP_BytesToKey with MD5 and one iteration, the legacy PEM key derivation.
fn evp_bytes_to_key(passphrase: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut previous: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut input = previous.clone();
        input.extend_from_slice(passphrase);
        input.extend_from_slice(salt);
        previous = md5::compute(&input).0.to_vec();
        key.extend_from_slice(&previous);
    }
    key.truncate(len);
    key
}
