//! `SshError`: what went wrong with SSH material or an SSH connection, precise enough for a service
//! to name the field and tell the user what to do.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SshError {
    #[error("this is a public key; paste the private key (the file without .pub)")]
    PublicKeyGiven,
    #[error("this key is encrypted; enter its passphrase")]
    PassphraseRequired,
    #[error("the passphrase is wrong")]
    WrongPassphrase,
    #[error("{0} keys are not supported; use ed25519, ecdsa or rsa")]
    UnsupportedType(String),
    #[error("RSA keys need at least {min} bits; this one has {bits}")]
    RsaTooSmall { bits: u32, min: u32 },
    #[error("certificates are not accepted here; give the key itself")]
    Certificate,
    #[error("the key could not be read: {0}")]
    Malformed(String),
    #[error("the public key does not belong to this private key")]
    PublicKeyMismatch,
    #[error("key generation failed: {0}")]
    Generation(String),
}
