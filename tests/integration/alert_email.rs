//! Alert email through a real SMTP server, Debian's `aiosmtpd` (the test command installs
//! `python3-aiosmtpd`), delivering into a Maildir: a test alert arrives with its subject, sender
//! and recipients; STARTTLS to a server whose certificate nobody trusts is refused, not
//! downgraded, and nothing is sent.

use crate::common::ssh_app::SshApp;
use axum::http::Method;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const PYTHON: &str = "/usr/bin/python3";

struct Smtpd {
    child: Child,
    port: u16,
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An aiosmtpd writing into `maildir`, with STARTTLS when `tls` holds a certificate and key.
fn smtpd(maildir: &Path, tls: Option<(&Path, &Path)>) -> Option<Smtpd> {
    let available = Command::new(PYTHON).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !available {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3-aiosmtpd is missing: the test command installs it"
        );
        eprintln!("note: python3-aiosmtpd missing, email delivery skipped");
        return None;
    }
    let port = free_port();
    let mut command = Command::new(PYTHON);
    command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"]);
    if let Some((cert, key)) = tls {
        command.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
    }
    command.arg(maildir);
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().ok()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "aiosmtpd did not listen on {port}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(Smtpd { child, port })
}

fn mails(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap()).collect()
}

async fn email_channel(s: &SshApp, name: &str, port: u16, tls: &str) -> i64 {
    let body = json!({"name": name, "kind": "email", "smtp_host": "127.0.0.1", "smtp_port": port, "tls": tls,
        "from": "Keyhaven <keyhaven@example.test>", "to": ["ops@example.test", "oncall@example.test"]});
    let (status, body) = s.call(Method::POST, "/api/alerts/channels", Some(body)).await;
    assert_eq!(status, 201, "{body}");
    body["channel"]["id"].as_i64().unwrap()
}

async fn test_alert(s: &SshApp, id: i64) -> Value {
    let (status, body) = s.call(Method::POST, &format!("/api/alerts/channels/{id}/test"), None).await;
    assert_eq!(status, 200, "{body}");
    body["delivery"].clone()
}

#[tokio::test]
async fn a_test_alert_arrives_by_mail_and_starttls_to_an_untrusted_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plain_dir = dir.path().join("plain");
    let Some(plain) = smtpd(&plain_dir, None) else { return };
    let s = SshApp::start(None).await;
    let id = email_channel(&s, "mail", plain.port, "none").await;
    let delivery = test_alert(&s, id).await;
    assert_eq!(delivery["status"], "sent", "{delivery}");
    assert!(delivery["detail"].as_str().unwrap().starts_with("250"), "{delivery}");
    let got = mails(&plain_dir);
    assert_eq!(got.len(), 1, "one message");
    let mail = &got[0];
    assert!(mail.contains("Subject: [Keyhaven] Test alert to 'mail'"), "{mail}");
    assert!(
        mail.contains("keyhaven@example.test")
            && mail.contains("ops@example.test")
            && mail.contains("oncall@example.test"),
        "{mail}"
    );
    assert!(mail.contains("This is a test alert"), "{mail}");

    // STARTTLS with a self-signed certificate: verified, so refused.
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    let tls_dir = dir.path().join("tls");
    let Some(tls) = smtpd(&tls_dir, Some((&cert, &key))) else { return };
    let id = email_channel(&s, "untrusted", tls.port, "starttls").await;
    let delivery = test_alert(&s, id).await;
    assert_eq!(delivery["status"], "failed", "{delivery}");
    let detail = delivery["detail"].as_str().unwrap().to_lowercase();
    assert!(detail.contains("certificate"), "{detail}");
    assert!(mails(&tls_dir).is_empty(), "nothing sent without a trusted TLS");
}
