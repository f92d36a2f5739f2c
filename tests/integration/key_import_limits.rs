//! Private keys that try to do harm on import: a comment that would write extra lines into remote
//! `authorized_keys`, and encryption whose key derivation would hold the server (KDF bombs). Each
//! made by the real tools (ssh-keygen, openssl) and refused with a 422 that names the reason.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::http::Method;
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PW: &str = "long enough password";

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn ssh_keygen(dir: &Path, name: &str, extra: &[&str]) -> String {
    let path = dir.join(name);
    let path_text = path.to_string_lossy().into_owned();
    let mut args = vec!["-q", "-t", "ed25519", "-f", &path_text];
    args.extend_from_slice(extra);
    run("ssh-keygen", &args);
    std::fs::read_to_string(path).unwrap()
}

/// An RSA key as encrypted PKCS#8, with openssl's own `pkcs8` options for the KDF.
fn pkcs8(dir: &Path, name: &str, kdf: &[&str]) -> String {
    let plain = dir.join(format!("{name}.plain"));
    let out = dir.join(name);
    run(
        "openssl",
        &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", plain.to_str().unwrap()],
    );
    let mut args = vec![
        "pkcs8",
        "-topk8",
        "-in",
        plain.to_str().unwrap(),
        "-out",
        out.to_str().unwrap(),
        "-passout",
        "pass:secret",
    ];
    args.extend_from_slice(kdf);
    run("openssl", &args);
    std::fs::read_to_string(out).unwrap()
}

async fn import(
    app: &TestApp,
    admin: &Auth,
    name: &str,
    private_key: &str,
    passphrase: &str,
) -> (u16, serde_json::Value) {
    let body = json!({"name": name, "private_key": private_key, "passphrase": passphrase});
    let res = app.json(Method::POST, "/api/ssh-keys", admin, Some(body)).await;
    (res.status.as_u16(), serde_json::from_slice(&res.body).unwrap_or_default())
}

#[tokio::test]
async fn a_comment_with_a_newline_is_refused_unless_a_comment_replaces_it() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    let dir = tempfile::tempdir().unwrap();
    let sneaky =
        ssh_keygen(dir.path(), "sneaky", &["-N", "", "-C", "ok\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvil evil"]);
    let (status, body) = import(&app, &admin, "sneaky", &sneaky, "").await;
    assert_eq!((status, body["field"].as_str()), (422, Some("comment")), "{body}");
    let long = ssh_keygen(dir.path(), "long", &["-N", "", "-C", &"c".repeat(300)]);
    assert_eq!(import(&app, &admin, "long", &long, "").await.0, 422);
    let listed = app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json();
    assert_eq!(listed["ssh_keys"].as_array().map(Vec::len), Some(0), "nothing stored");
    // Giving a comment replaces the key's own: then it imports.
    let body = json!({"name": "fixed", "private_key": sneaky, "comment": "backup@nas"});
    let res = app.json(Method::POST, "/api/ssh-keys", &admin, Some(body)).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert!(res.json()["ssh_key"]["public_key"].as_str().unwrap().ends_with(" backup@nas"));
}

#[tokio::test]
async fn kdf_bombs_are_refused_before_any_work_and_name_the_limit() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Bearer(app.api_login("alice", PW).await);
    let dir = tempfile::tempdir().unwrap();
    let bombs = [
        ("bcrypt", ssh_keygen(dir.path(), "rounds", &["-N", "secret", "-a", "200"]), "at most 128"),
        (
            "scrypt",
            pkcs8(dir.path(), "scrypt", &["-scrypt", "-scrypt_N", "16384", "-scrypt_r", "8", "-scrypt_p", "16"]),
            "64 MiB",
        ),
        ("pbkdf2", pkcs8(dir.path(), "pbkdf2", &["-v2", "aes-256-cbc", "-iter", "2000000"]), "at most 1000000"),
    ];
    for (kind, text, limit) in &bombs {
        let started = Instant::now();
        let (status, body) = import(&app, &admin, kind, text, "secret").await;
        assert_eq!((status, body["field"].as_str()), (422, Some("private_key")), "{kind}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(limit), "{kind}: {body}");
        assert!(started.elapsed() < Duration::from_millis(500), "{kind} was refused before it was decrypted");
    }
    // Ordinary encrypted keys still import.
    let normal = pkcs8(dir.path(), "normal", &["-v2", "aes-256-cbc"]);
    assert_eq!(import(&app, &admin, "normal", &normal, "secret").await.0, 201);
    let rounds = ssh_keygen(dir.path(), "usual", &["-N", "secret", "-a", "16"]);
    assert_eq!(import(&app, &admin, "usual", &rounds, "secret").await.0, 201);
}
