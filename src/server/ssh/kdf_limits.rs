//! Caps on what an encrypted private key may make its decryption cost. The key file chooses its own
//! key-derivation cost (bcrypt rounds, scrypt memory, PBKDF2 iterations): without a cap, one
//! uploaded file can hold a server thread for minutes or ask scrypt for gigabytes. The limits are
//! far above what ssh-keygen and OpenSSL write (16 rounds; N = 2^14, r = 8; 2,048 iterations).

use super::error::SshError;
use base64::Engine;
use pkcs8::EncryptedPrivateKeyInfoRef;
use pkcs8::der::Decode;
use pkcs8::pkcs5::pbes2::Kdf as Pkcs5Kdf;
use russh::keys::ssh_key::{Kdf, PrivateKey};

/// bcrypt-pbkdf rounds (ssh-keygen's `-a`; 16 by default, 100 for the careful): about a second.
pub const MAX_BCRYPT_ROUNDS: u32 = 128;
/// PBKDF2 iterations.
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;
/// scrypt's memory (128 · N · r bytes): 64 MiB.
pub const MAX_SCRYPT_MEMORY: u64 = 64 << 20;
/// scrypt's parallelisation.
pub const MAX_SCRYPT_P: u16 = 4;

fn too_costly(what: String, limit: String) -> SshError {
    SshError::KdfTooCostly { what, limit }
}

/// An OpenSSH key's bcrypt rounds, before it is decrypted.
pub fn check_openssh(key: &PrivateKey) -> Result<(), SshError> {
    match key.kdf() {
        Kdf::Bcrypt { rounds, .. } if *rounds > MAX_BCRYPT_ROUNDS => {
            Err(too_costly(format!("{rounds} bcrypt rounds"), format!("at most {MAX_BCRYPT_ROUNDS}")))
        }
        _ => Ok(()),
    }
}

/// An encrypted PKCS#8 key's (`BEGIN ENCRYPTED PRIVATE KEY`) PBKDF2 or scrypt cost. Text that is
/// not such a block passes: the decoder that follows reports it.
pub fn check_pkcs8(text: &str) -> Result<(), SshError> {
    let Some(der) = pem_body(text, "ENCRYPTED PRIVATE KEY") else { return Ok(()) };
    let Ok(info) = EncryptedPrivateKeyInfoRef::from_der(&der) else { return Ok(()) };
    let Some(params) = info.encryption_algorithm.pbes2() else { return Ok(()) };
    match &params.kdf {
        Pkcs5Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Err(too_costly(
            format!("{} PBKDF2 iterations", p.iteration_count),
            format!("at most {MAX_PBKDF2_ITERATIONS}"),
        )),
        Pkcs5Kdf::Scrypt(s) => {
            let memory = 128u64.saturating_mul(s.cost_parameter).saturating_mul(u64::from(s.block_size));
            if memory > MAX_SCRYPT_MEMORY || s.parallelization > MAX_SCRYPT_P {
                return Err(too_costly(
                    format!("scrypt with N={}, r={}, p={}", s.cost_parameter, s.block_size, s.parallelization),
                    format!("at most {} MiB and p={MAX_SCRYPT_P}", MAX_SCRYPT_MEMORY >> 20),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The bytes of the first `-----BEGIN {label}-----` block.
fn pem_body(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let base64: String = text[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(base64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_an_encrypted_pkcs8_block_passes_to_the_decoder() {
        assert!(check_pkcs8("no key here").is_ok());
        assert!(check_pkcs8("-----BEGIN ENCRYPTED PRIVATE KEY-----\n!!!\n-----END ENCRYPTED PRIVATE KEY-----").is_ok());
    }
}
