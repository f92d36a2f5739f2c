//! Public keys against OpenSSH: every accepted type made by ssh-keygen (and its RFC4716 export)
//! gets the fingerprint ssh-keygen prints; a table of bad keys gets the right 422 each and
//! nothing is stored.

use crate::common::http::{Auth, TestApp};
use crate::common::{openssh, sqlite, test_settings};
use axum::http::Method;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::path::Path;

const PW: &str = "correct horse battery";

async fn app_with_admin(settings: keyhaven::server::config::Settings) -> (TestApp, Auth) {
    let app = TestApp::with_settings(sqlite().await, settings);
    app.setup_admin("alice", PW).await;
    let alice = Auth::Bearer(app.api_login("alice", PW).await);
    (app, alice)
}

/// An SSH `string`: a 4-byte big-endian length, then the bytes.
fn ssh_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap().to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads the SSH strings of a key blob.
fn ssh_strings(mut blob: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while blob.len() >= 4 {
        let len = u32::from_be_bytes(blob[..4].try_into().unwrap()) as usize;
        out.push(blob[4..4 + len].to_vec());
        blob = &blob[4 + len..];
    }
    out
}

fn blob_of(line: &str) -> Vec<u8> {
    STANDARD.decode(line.split_whitespace().nth(1).unwrap()).unwrap()
}

/// Security-key (FIDO) public keys cannot be made without the hardware, but their public half is
/// just the ed25519 / P-256 key plus an application string: build them from ssh-keygen's keys.
fn security_key_lines(dir: &Path) -> Vec<String> {
    let ed =
        std::fs::read_to_string(openssh::keygen(dir, "sk-ed-base", "ed25519", None, None, "").with_extension("pub"))
            .unwrap();
    let ec =
        std::fs::read_to_string(openssh::keygen(dir, "sk-ec-base", "ecdsa", Some(256), None, "").with_extension("pub"))
            .unwrap();
    let ed_parts = ssh_strings(&blob_of(&ed));
    let ec_parts = ssh_strings(&blob_of(&ec));
    let mut sk_ed = Vec::new();
    ssh_string(&mut sk_ed, b"sk-ssh-ed25519@openssh.com");
    ssh_string(&mut sk_ed, &ed_parts[1]);
    ssh_string(&mut sk_ed, b"ssh:");
    let mut sk_ec = Vec::new();
    ssh_string(&mut sk_ec, b"sk-ecdsa-sha2-nistp256@openssh.com");
    ssh_string(&mut sk_ec, b"nistp256");
    ssh_string(&mut sk_ec, &ec_parts[2]);
    ssh_string(&mut sk_ec, b"ssh:");
    vec![
        format!("sk-ssh-ed25519@openssh.com {} yubikey@desk", STANDARD.encode(sk_ed)),
        format!("sk-ecdsa-sha2-nistp256@openssh.com {} yubikey@desk", STANDARD.encode(sk_ec)),
    ]
}

#[tokio::test]
async fn keys_made_by_ssh_keygen_are_accepted_with_its_fingerprints_also_as_rfc4716() {
    let (app, alice) = app_with_admin(test_settings()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for (name, key_type, bits) in [
        ("ed", "ed25519", None),
        ("ec256", "ecdsa", Some(256)),
        ("ec384", "ecdsa", Some(384)),
        ("ec521", "ecdsa", Some(521)),
        ("rsa2048", "rsa", Some(2048)),
        ("rsa3072", "rsa", Some(3072)),
        ("rsa4096", "rsa", Some(4096)),
    ] {
        let pub_file = openssh::keygen(dir.path(), name, key_type, bits, None, "").with_extension("pub");
        lines.push(std::fs::read_to_string(pub_file).unwrap().trim().to_string());
    }
    lines.extend(security_key_lines(dir.path()));
    for line in &lines {
        let expected = openssh::fingerprint_of_line(dir.path(), line);
        let pub_file = dir.path().join("current.pub");
        std::fs::write(&pub_file, format!("{line}\n")).unwrap();
        let rfc4716 = openssh::export_rfc4716(&pub_file);
        assert!(rfc4716.starts_with("---- BEGIN SSH2 PUBLIC KEY ----"));
        for (form, text) in [("openssh", line.clone()), ("rfc4716", rfc4716)] {
            let res = app.json(Method::POST, "/user/keys", &alice, Some(json!({"title": form, "key": text}))).await;
            assert_eq!(res.status, 201, "{form} {line}: {}", res.text());
            let key = res.json();
            assert_eq!(key["fingerprint"], expected, "{form} {line}");
            let type_and_blob = line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            assert_eq!(key["key"], type_and_blob, "{form} is normalised to the OpenSSH form");
            let id = key["id"].as_i64().unwrap();
            assert_eq!(app.json(Method::DELETE, &format!("/user/keys/{id}"), &alice, None).await.status, 204);
        }
    }
}

/// The stored keys, so a test can check that a refusal changed nothing.
async fn stored(app: &TestApp, auth: &Auth) -> Value {
    app.json(Method::GET, "/user/keys?per_page=100", auth, None).await.json()
}

#[tokio::test]
async fn thirty_bad_keys_get_their_own_422_and_nothing_is_stored() {
    let (app, alice) = app_with_admin(test_settings()).await;
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, t: &str, bits: Option<u32>, format: Option<&str>| {
        openssh::keygen(dir.path(), name, t, bits, format, "")
    };
    let good_private_path = make("good", "ed25519", None, None);
    let good = std::fs::read_to_string(good_private_path.with_extension("pub")).unwrap().trim().to_string();
    let good_private = std::fs::read_to_string(&good_private_path).unwrap();
    let pem_private = std::fs::read_to_string(make("pem", "rsa", Some(2048), Some("PEM"))).unwrap();
    let weak = std::fs::read_to_string(make("weak", "rsa", Some(1024), None).with_extension("pub")).unwrap();
    let ca = make("ca", "ed25519", None, None);
    let cert = openssh::certificate(&ca, &good_private_path.with_extension("pub"));
    let cert_rfc = format!(
        "---- BEGIN SSH2 PUBLIC KEY ----\n{}\n---- END SSH2 PUBLIC KEY ----\n",
        cert.split_whitespace().nth(1).unwrap()
    );
    let pem_public = String::from_utf8(
        std::process::Command::new("ssh-keygen")
            .args(["-e", "-m", "PKCS8", "-f"])
            .arg(dir.path().join("pem.pub"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let seeded = app.json(Method::POST, "/user/keys", &alice, Some(json!({"title": "seed", "key": good}))).await;
    assert_eq!(seeded.status, 201);
    let before = stored(&app, &alice).await;
    let ed_blob = good.split_whitespace().nth(1).unwrap().to_string();
    let rsa_line = std::fs::read_to_string(dir.path().join("pem.pub")).unwrap();
    let rsa_blob = rsa_line.split_whitespace().nth(1).unwrap().to_string();
    let mut extra = blob_of(&good);
    extra.extend_from_slice(b"trailing");
    let dsa = "ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZpRV1AIlH7WT2NWPq/xfW6MPbLm1Vs14E7 me@old";
    let body_key = |key: &str| json!({"title": "t", "key": key});
    let cases: Vec<(Value, &str)> = vec![
        (json!({"title": "t"}), "Key is required"),
        (body_key(""), "Key is required"),
        (body_key("   \n "), "Key is required"),
        (json!({"title": "t", "key": null}), "Key is required"),
        (body_key(dsa), "ssh-dss (DSA) keys are insecure"),
        (body_key(&weak), "RSA keys need at least 2048 bits; this one has 1024"),
        (body_key(&cert), "Certificates are not accepted"),
        (body_key(&cert_rfc), "Certificates are not accepted"),
        (body_key(&format!("ssh-ed25519-cert-v01@openssh.com {ed_blob}")), "Certificates are not accepted"),
        (body_key(&format!("restrict {good}")), "Options such as restrict or command="),
        (body_key(&format!("command=\"borg serve\" {good}")), "Options such as restrict or command="),
        (body_key(&format!("from=\"10.0.0.1\",no-pty {good}")), "Options such as restrict or command="),
        (body_key(&format!("backup.example.com {good}")), "Options such as restrict or command="),
        (body_key(&good_private), "This is a private key; paste the .pub file instead"),
        (body_key(&pem_private), "This is a private key; paste the .pub file instead"),
        (body_key(&pem_public), "PEM public keys are not accepted"),
        (body_key("ssh-foo AAAAB3NzaC1yc2E"), "'ssh-foo' is not a known SSH key type"),
        (body_key("hello world"), "'hello' is not a known SSH key type"),
        (body_key("ssh-ed25519"), "The key data after the type is missing"),
        (body_key("ssh-ed25519 !!!notbase64!!!"), "The key data is not valid base64"),
        (body_key(&format!("ssh-ed25519 {}", &ed_blob[..41])), "not valid base64"),
        (
            body_key(&format!("ssh-ed25519 {}", STANDARD.encode(&blob_of(&good)[..30]))),
            "The key data is damaged or truncated",
        ),
        (body_key(&format!("ssh-ed25519 {}", STANDARD.encode(&extra))), "The key data is damaged or truncated"),
        (body_key("ssh-rsa AAAA"), "The key data is damaged or truncated"),
        (body_key(&format!("ssh-rsa {ed_blob}")), "The key data is a ssh-ed25519 key but the line says ssh-rsa"),
        (
            body_key(&format!("ecdsa-sha2-nistp256 {rsa_blob}")),
            "The key data is a ssh-rsa key but the line says ecdsa-sha2-nistp256",
        ),
        (body_key(&format!("{good}\n{}", rsa_line.trim())), "Paste one key at a time"),
        (body_key(&format!("---- BEGIN SSH2 PUBLIC KEY ----\n{ed_blob}\n")), "no '---- END SSH2 PUBLIC KEY ----' line"),
        (body_key("---- BEGIN SSH2 PUBLIC KEY ----\n@@@@\n---- END SSH2 PUBLIC KEY ----"), "not valid base64"),
        (body_key("---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"empty\"\n---- END SSH2 PUBLIC KEY ----"), "missing"),
        (body_key(&format!("ssh-ed25519 {}", "A".repeat(20_000))), "A public key is at most 16 KB"),
        (body_key(&good), "Key is already in use"),
        (json!({"title": "x".repeat(256), "key": good}), "Title must be one line"),
        (json!({"title": "two\nlines", "key": good}), "Title must be one line"),
        (json!({"title": "t", "key": 42}), "key has the wrong type"),
    ];
    assert!(cases.len() >= 30);
    for (n, (body, message)) in cases.iter().enumerate() {
        for path in ["/user/keys", "/repos/alice/vault/keys"] {
            if path.starts_with("/repos") && n == 0 {
                let repo = app.json(Method::POST, "/user/repos", &alice, Some(json!({"name": "vault"}))).await;
                assert_eq!(repo.status, 201);
            }
            let res = app.json(Method::POST, path, &alice, Some(body.clone())).await;
            let answer = res.json();
            assert_eq!(res.status, 422, "case {n} on {path}: {answer}");
            assert_eq!(answer["message"], "Validation Failed", "GitHub's top-level message: {answer}");
            let text = answer["errors"][0]["message"].as_str().unwrap();
            assert!(
                text.to_lowercase().contains(&message.to_lowercase()),
                "case {n} on {path}: {text:?} should contain {message:?}"
            );
            let field = &answer["errors"][0]["field"];
            assert!(field == "key" || field == "title", "case {n}: {answer}");
            if text.contains("must begin with") {
                assert!(text.starts_with("Key is invalid. It must begin with 'ssh-rsa', 'ssh-ed25519', etc."));
            }
        }
    }
    assert_eq!(stored(&app, &alice).await, before, "nothing stored changed");
    assert_eq!(app.json(Method::GET, "/repos/alice/vault/keys", &alice, None).await.json(), json!([]));
}

#[tokio::test]
async fn the_key_policy_comes_from_settings() {
    let settings = keyhaven::server::config::Settings {
        public_key_types: vec!["ssh-rsa".into()],
        public_key_min_rsa_bits: 3072,
        ..test_settings()
    };
    let (app, alice) = app_with_admin(settings).await;
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str, t: &str, bits: Option<u32>| {
        std::fs::read_to_string(openssh::keygen(dir.path(), name, t, bits, None, "").with_extension("pub")).unwrap()
    };
    let cases = [
        (read("ed", "ed25519", None), 422, "ssh-ed25519 keys are not allowed on this server"),
        (read("r2048", "rsa", Some(2048)), 422, "RSA keys need at least 3072 bits; this one has 2048"),
        (read("r3072", "rsa", Some(3072)), 201, ""),
    ];
    for (key, status, message) in cases {
        let res = app.json(Method::POST, "/user/keys", &alice, Some(json!({"key": key}))).await;
        assert_eq!(res.status, status, "{}", res.text());
        let reason = res.json()["errors"][0]["message"].as_str().unwrap_or("").to_string();
        assert!(reason.contains(message), "{}", res.text());
        if status == 422 {
            assert_eq!(res.json()["message"], "Validation Failed");
            assert!(reason.ends_with(&format!("({message})")));
        }
    }
    let env = std::collections::HashMap::from([("KEYHAVEN_PUBLIC_KEY_TYPES".to_string(), "ssh-dss".to_string())]);
    let err = keyhaven::server::config::Settings::load(None, &env).unwrap_err();
    assert!(err.to_string().contains("unknown key type"), "{err}");
    let env = std::collections::HashMap::from([("KEYHAVEN_PUBLIC_KEY_MIN_RSA_BITS".to_string(), "1024".to_string())]);
    assert!(keyhaven::server::config::Settings::load(None, &env).is_err());
}
