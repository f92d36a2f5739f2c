//! A minimal SSH agent (the protocol ssh-agent speaks on its socket): it lists identities and
//! signs with them, nothing else. Adding, removing and locking keys are refused, because the keys
//! belong to Keyhaven's database; private keys are opened in memory for each signature only.
//! This is how borg, rsync or ssh use the managed keys without a decrypted key on disk.

use russh::keys::ssh_key::encoding::Encode;
use russh::keys::ssh_key::private::KeypairData;
use russh::keys::ssh_key::{HashAlg, PrivateKey, Signature};
use signature::Signer;
use std::future::Future;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const FAILURE: u8 = 5;
const REQUEST_IDENTITIES: u8 = 11;
const IDENTITIES_ANSWER: u8 = 12;
const SIGN_REQUEST: u8 = 13;
const SIGN_RESPONSE: u8 = 14;
const RSA_SHA2_256: u32 = 2;
const RSA_SHA2_512: u32 = 4;
/// Requests are small (a sign request carries a session hash); anything larger is hostile.
const MAX_MESSAGE: usize = 256 * 1024;

/// Where the agent's keys come from.
pub trait AgentKeys: Send + Sync + 'static {
    /// `(public key blob, comment)` for every key offered.
    fn identities(&self) -> impl Future<Output = Vec<(Vec<u8>, String)>> + Send;
    /// The private key whose public blob is `blob`, if it is offered.
    fn private_key(&self, blob: &[u8]) -> impl Future<Output = Option<PrivateKey>> + Send;
}

/// The wire blob of a `type base64` public key line.
pub fn public_blob(public_line: &str) -> Option<Vec<u8>> {
    russh::keys::ssh_key::PublicKey::from_openssh(public_line).ok()?.to_bytes().ok()
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads an SSH string at `*at`, advancing past it.
fn take_string<'a>(data: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let len = u32::from_be_bytes(data.get(*at..*at + 4)?.try_into().ok()?) as usize;
    let value = data.get(*at + 4..*at + 4 + len)?;
    *at += 4 + len;
    Some(value)
}

/// Signs `data` as the agent protocol asks: RSA with the hash the flags name.
fn sign(key: &PrivateKey, data: &[u8], flags: u32) -> Option<Vec<u8>> {
    let signature: Signature = match key.key_data() {
        KeypairData::Rsa(rsa) => {
            let hash = if flags & RSA_SHA2_512 != 0 {
                Some(HashAlg::Sha512)
            } else if flags & RSA_SHA2_256 != 0 {
                Some(HashAlg::Sha256)
            } else {
                None
            };
            (rsa, hash).try_sign(data).ok()?
        }
        _ => key.try_sign(data).ok()?,
    };
    signature.encode_vec().ok()
}

/// Answers one request (the message without its length prefix).
pub async fn answer(keys: &impl AgentKeys, request: &[u8]) -> Vec<u8> {
    match request.first() {
        Some(&REQUEST_IDENTITIES) => {
            let identities = keys.identities().await;
            let mut out = vec![IDENTITIES_ANSWER];
            out.extend_from_slice(&(identities.len() as u32).to_be_bytes());
            for (blob, comment) in identities {
                put_string(&mut out, &blob);
                put_string(&mut out, comment.as_bytes());
            }
            out
        }
        Some(&SIGN_REQUEST) => {
            let mut at = 1;
            let parsed = (|| {
                let blob = take_string(request, &mut at)?;
                let data = take_string(request, &mut at)?;
                let flags = u32::from_be_bytes(request.get(at..at + 4)?.try_into().ok()?);
                Some((blob, data, flags))
            })();
            let Some((blob, data, flags)) = parsed else { return vec![FAILURE] };
            let Some(key) = keys.private_key(blob).await else { return vec![FAILURE] };
            match sign(&key, data, flags) {
                Some(signature) => {
                    let mut out = vec![SIGN_RESPONSE];
                    put_string(&mut out, &signature);
                    out
                }
                None => vec![FAILURE],
            }
        }
        _ => vec![FAILURE],
    }
}

/// Serves one client until it hangs up or sends something malformed.
pub async fn serve_client<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, keys: Arc<impl AgentKeys>) {
    loop {
        let mut len = [0u8; 4];
        if stream.read_exact(&mut len).await.is_err() {
            return;
        }
        let len = u32::from_be_bytes(len) as usize;
        if len == 0 || len > MAX_MESSAGE {
            return;
        }
        let mut request = vec![0u8; len];
        if stream.read_exact(&mut request).await.is_err() {
            return;
        }
        let reply = answer(keys.as_ref(), &request).await;
        let mut framed = Vec::with_capacity(reply.len() + 4);
        put_string(&mut framed, &reply);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::ssh::keys::{KeySpec, generate, private_from_openssh};
    use russh::keys::ssh_key::encoding::Decode;
    use signature::Verifier;

    struct OneKey(PrivateKey);

    impl AgentKeys for OneKey {
        async fn identities(&self) -> Vec<(Vec<u8>, String)> {
            vec![(self.0.public_key().to_bytes().unwrap(), "k".into())]
        }
        async fn private_key(&self, blob: &[u8]) -> Option<PrivateKey> {
            (self.0.public_key().to_bytes().unwrap() == blob).then(|| self.0.clone())
        }
    }

    fn sign_request(blob: &[u8], data: &[u8], flags: u32) -> Vec<u8> {
        let mut request = vec![SIGN_REQUEST];
        put_string(&mut request, blob);
        put_string(&mut request, data);
        request.extend_from_slice(&flags.to_be_bytes());
        request
    }

    #[tokio::test]
    async fn rsa_signatures_use_the_hash_the_flags_ask_for_and_verify() {
        let material = generate(KeySpec::Rsa { bits: 2048 }, "t").await.unwrap();
        let key = private_from_openssh(&material.private_openssh).unwrap();
        let blob = key.public_key().to_bytes().unwrap();
        let agent = OneKey(key.clone());
        for (flags, algorithm) in [(RSA_SHA2_256, "rsa-sha2-256"), (RSA_SHA2_512, "rsa-sha2-512")] {
            let reply = answer(&agent, &sign_request(&blob, b"session data", flags)).await;
            assert_eq!(reply[0], SIGN_RESPONSE);
            let mut at = 1;
            let mut encoded = take_string(&reply, &mut at).unwrap();
            let signature = Signature::decode(&mut encoded).unwrap();
            assert_eq!(signature.algorithm().as_str(), algorithm);
            Verifier::verify(key.public_key().key_data(), b"session data", &signature).unwrap();
        }
    }

    #[tokio::test]
    async fn unknown_keys_malformed_requests_and_key_changes_are_refused() {
        let material = generate(KeySpec::Ed25519, "t").await.unwrap();
        let agent = OneKey(private_from_openssh(&material.private_openssh).unwrap());
        assert_eq!(answer(&agent, &sign_request(b"not a key", b"x", 0)).await, [FAILURE]);
        assert_eq!(answer(&agent, &[SIGN_REQUEST, 0, 0]).await, [FAILURE]);
        for refused in [17u8, 18, 19, 22, 23, 27] {
            assert_eq!(answer(&agent, &[refused]).await, [FAILURE], "message {refused}");
        }
        let listed = answer(&agent, &[REQUEST_IDENTITIES]).await;
        assert_eq!((listed[0], u32::from_be_bytes(listed[1..5].try_into().unwrap())), (IDENTITIES_ANSWER, 1));
    }
}
