//! Reading a public key someone pasted: an OpenSSH line (`type base64 [comment]`) or an RFC4716
//! `---- BEGIN SSH2 PUBLIC KEY ----` block, checked against the key policy. Every place that
//! accepts a person's public key or a deploy key goes through `parse`, so the rules are the same
//! everywhere and each refusal says exactly what is wrong.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use russh::keys::ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey};

/// Every type Keyhaven can accept; the `public_key_types` setting picks from these.
pub const KNOWN_TYPES: [&str; 7] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
];

/// OpenSSH refuses `authorized_keys` lines longer than 8 KB; a 16384-bit RSA key still fits.
const MAX_TEXT: usize = 16 * 1024;

/// Which keys are acceptable: from the `public_key_types` and `public_key_min_rsa_bits` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPolicy {
    pub allowed_types: Vec<String>,
    pub min_rsa_bits: u32,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        KeyPolicy { allowed_types: KNOWN_TYPES.iter().map(|t| t.to_string()).collect(), min_rsa_bits: 2048 }
    }
}

/// A public key that passed the policy, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedPublicKey {
    /// The OpenSSH algorithm name, e.g. `ssh-ed25519`.
    pub key_type: String,
    pub bits: u32,
    /// `type base64`, the form stored and served (no comment, no options).
    pub key: String,
    /// The comment that followed the key (or RFC4716's `Comment:` header); may be empty.
    pub comment: String,
    /// `SHA256:…` as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
}

/// Why a pasted key was refused; each message tells the user what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicKeyError {
    #[error("key is required")]
    Empty,
    #[error("this is a private key; paste the .pub file instead")]
    PrivateKey,
    #[error("ssh-dss (DSA) keys are insecure and no longer accepted; use ssh-ed25519")]
    Dsa,
    #[error("RSA keys need at least {min} bits; this one has {bits}")]
    RsaTooSmall { bits: u32, min: u32 },
    #[error("certificates are not accepted; paste the key itself (the .pub file, not -cert.pub)")]
    Certificate,
    #[error("options such as restrict or command= (or a host name) may not come before the key; paste only the key")]
    Options,
    #[error("'{0}' is not a known SSH key type")]
    UnknownType(String),
    #[error("{0} keys are not allowed on this server")]
    TypeNotAllowed(String),
    #[error("the key data after the type is missing")]
    MissingData,
    #[error("the key data is not valid base64")]
    BadBase64,
    #[error("the key data is damaged or truncated")]
    Corrupt,
    #[error("the key data is a {actual} key but the line says {declared}")]
    TypeMismatch { declared: String, actual: String },
    #[error("paste one key at a time")]
    SeveralKeys,
    #[error("PEM public keys are not accepted; convert with ssh-keygen -i -m PKCS8 -f key.pem")]
    PemPublicKey,
    #[error("the SSH2 public key block has no '---- END SSH2 PUBLIC KEY ----' line")]
    UnterminatedBlock,
    #[error("a public key is at most 16 KB")]
    TooLong,
}

/// Parses and checks one public key.
pub fn parse(text: &str, policy: &KeyPolicy) -> Result<ParsedPublicKey, PublicKeyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(PublicKeyError::Empty);
    }
    if text.len() > MAX_TEXT {
        return Err(PublicKeyError::TooLong);
    }
    if text.contains("PRIVATE KEY-----") {
        return Err(PublicKeyError::PrivateKey);
    }
    let (declared, blob, comment) = if text.starts_with("---- BEGIN SSH2 PUBLIC KEY") {
        rfc4716(text)?
    } else if text.starts_with("-----BEGIN") {
        return Err(PublicKeyError::PemPublicKey);
    } else {
        openssh_line(text)?
    };
    let public = PublicKey::from_bytes(&blob).map_err(|_| PublicKeyError::Corrupt)?;
    let actual = public.algorithm();
    if let Some(declared) = declared.filter(|d| d != actual.as_str()) {
        return Err(PublicKeyError::TypeMismatch { declared, actual: actual.as_str().to_string() });
    }
    let bits = bits_of(&public)?;
    check_policy(actual.as_str(), bits, policy)?;
    Ok(ParsedPublicKey {
        key_type: actual.as_str().to_string(),
        bits,
        key: format!("{} {}", actual.as_str(), STANDARD.encode(&blob)),
        comment,
        fingerprint: public.fingerprint(HashAlg::Sha256).to_string(),
    })
}

fn looks_like_type(token: &str) -> bool {
    token.starts_with("ssh-") || token.starts_with("ecdsa-sha2-") || token.starts_with("sk-")
}

/// `type base64 [comment]`: returns the declared type, the decoded blob and the comment.
fn openssh_line(text: &str) -> Result<(Option<String>, Vec<u8>, String), PublicKeyError> {
    if text.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        return Err(PublicKeyError::SeveralKeys);
    }
    let mut parts = text.splitn(3, char::is_whitespace);
    let key_type = parts.next().unwrap_or_default();
    if !looks_like_type(key_type) {
        let later_type = text.split_whitespace().skip(1).any(looks_like_type);
        return Err(if later_type {
            PublicKeyError::Options
        } else {
            PublicKeyError::UnknownType(key_type.chars().take(40).collect())
        });
    }
    if key_type.contains("-cert-v01@openssh.com") {
        return Err(PublicKeyError::Certificate);
    }
    if key_type == "ssh-dss" {
        return Err(PublicKeyError::Dsa);
    }
    if !KNOWN_TYPES.contains(&key_type) {
        return Err(PublicKeyError::UnknownType(key_type.chars().take(40).collect()));
    }
    let rest = parts.next().map(str::trim_start).unwrap_or_default();
    let (data, comment) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if data.is_empty() {
        return Err(PublicKeyError::MissingData);
    }
    let blob = STANDARD.decode(data).map_err(|_| PublicKeyError::BadBase64)?;
    let comment = [comment, parts.next().unwrap_or_default()].join(" ").trim().to_string();
    Ok((Some(key_type.to_string()), blob, comment))
}

/// RFC4716: headers (`Tag: value`, continued by a trailing `\`), then base64 lines, then the end
/// marker. `ssh-keygen -e` writes a `Comment:` header, which becomes the key's comment.
fn rfc4716(text: &str) -> Result<(Option<String>, Vec<u8>, String), PublicKeyError> {
    let mut lines = text.lines().map(str::trim).skip(1);
    let (mut comment, mut body, mut ended, mut continued) = (String::new(), String::new(), false, false);
    let mut current_header = String::new();
    for line in lines.by_ref() {
        if line.starts_with("---- END SSH2 PUBLIC KEY") {
            ended = true;
            break;
        }
        if continued || (body.is_empty() && line.contains(':')) {
            current_header.push_str(line.trim_end_matches('\\'));
            continued = line.ends_with('\\');
            if !continued {
                if let Some((tag, value)) = current_header.split_once(':')
                    && tag.trim().eq_ignore_ascii_case("comment")
                {
                    comment = value.trim().trim_matches('"').to_string();
                }
                current_header.clear();
            }
            continue;
        }
        body.push_str(line);
    }
    if !ended {
        return Err(PublicKeyError::UnterminatedBlock);
    }
    if lines.any(|l| !l.is_empty()) {
        return Err(PublicKeyError::SeveralKeys);
    }
    if body.is_empty() {
        return Err(PublicKeyError::MissingData);
    }
    let blob = STANDARD.decode(&body).map_err(|_| PublicKeyError::BadBase64)?;
    let declared = declared_type(&blob)?;
    if declared.contains("-cert-v01@openssh.com") {
        return Err(PublicKeyError::Certificate);
    }
    if declared == "ssh-dss" {
        return Err(PublicKeyError::Dsa);
    }
    Ok((None, blob, comment))
}

/// The type string at the start of a key blob (an SSH `string`: 4-byte length, then bytes).
fn declared_type(blob: &[u8]) -> Result<String, PublicKeyError> {
    let len_bytes: [u8; 4] = blob.get(..4).and_then(|b| b.try_into().ok()).ok_or(PublicKeyError::Corrupt)?;
    let len = usize::try_from(u32::from_be_bytes(len_bytes)).map_err(|_| PublicKeyError::Corrupt)?;
    let name = blob.get(4..4 + len.min(100)).ok_or(PublicKeyError::Corrupt)?;
    Ok(String::from_utf8_lossy(name).into_owned())
}

fn bits_of(public: &PublicKey) -> Result<u32, PublicKeyError> {
    match public.algorithm() {
        Algorithm::Ed25519 | Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 => Ok(256),
        Algorithm::Ecdsa { curve: EcdsaCurve::NistP256 } => Ok(256),
        Algorithm::Ecdsa { curve: EcdsaCurve::NistP384 } => Ok(384),
        Algorithm::Ecdsa { curve: EcdsaCurve::NistP521 } => Ok(521),
        Algorithm::Rsa { .. } => public.key_data().rsa().map(|k| k.key_size()).ok_or(PublicKeyError::Corrupt),
        Algorithm::Dsa => Err(PublicKeyError::Dsa),
        other => Err(PublicKeyError::UnknownType(other.as_str().to_string())),
    }
}

fn check_policy(key_type: &str, bits: u32, policy: &KeyPolicy) -> Result<(), PublicKeyError> {
    if !policy.allowed_types.iter().any(|t| t == key_type) {
        return Err(PublicKeyError::TypeNotAllowed(key_type.to_string()));
    }
    if key_type == "ssh-rsa" && bits < policy.min_rsa_bits {
        return Err(PublicKeyError::RsaTooSmall { bits, min: policy.min_rsa_bits });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti foo@bar.com";

    #[test]
    fn an_openssh_line_is_normalised_and_keeps_its_comment_apart() {
        let parsed = parse(&format!("  {ED}  \n"), &KeyPolicy::default()).unwrap();
        assert_eq!(parsed.key_type, "ssh-ed25519");
        assert_eq!(parsed.bits, 256);
        assert_eq!(parsed.comment, "foo@bar.com");
        assert_eq!(parsed.key, ED.rsplit_once(' ').unwrap().0);
        assert!(parsed.fingerprint.starts_with("SHA256:"));
    }

    #[test]
    fn an_rfc4716_block_with_a_continued_header_gives_the_same_key() {
        let blob = ED.split(' ').nth(1).unwrap();
        let block = format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"foo@\\\nbar.com\"\nx-other: y\n{}\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            &blob[..30],
            &blob[30..]
        );
        let parsed = parse(&block, &KeyPolicy::default()).unwrap();
        assert_eq!(parsed.comment, "foo@bar.com");
        assert_eq!(parsed, parse(ED, &KeyPolicy::default()).unwrap());
    }

    #[test]
    fn the_policy_narrows_types_and_raises_the_rsa_minimum() {
        let policy = KeyPolicy { allowed_types: vec!["ssh-rsa".into()], min_rsa_bits: 4096 };
        assert_eq!(parse(ED, &policy), Err(PublicKeyError::TypeNotAllowed("ssh-ed25519".into())));
    }
}
