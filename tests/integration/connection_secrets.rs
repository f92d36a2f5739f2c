//! Quick setup end to end against a real sshd, and the rule that a deploy password is never kept:
//! after wrong and right passwords, neither appears in the database files, the audit log, any
//! answer or any log line (captured at TRACE).

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files_under(dir: &std::path::Path) -> Vec<Vec<u8>> {
    std::fs::read_dir(dir).unwrap().filter_map(|e| std::fs::read(e.unwrap().path()).ok()).collect()
}

#[tokio::test]
async fn quick_setup_deploys_a_new_key_and_no_password_is_kept_anywhere() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let wrong = format!("wrong-{}-pw", account.name);
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let request = |password: &str| {
        json!({"name": "deploy-box", "key_type": "ed25519", "host": "127.0.0.1", "username": account.name,
            "port": sshd.port, "password": password, "use_sftp_mode": true})
    };
    let mut answers = Vec::new();
    let (status, body) = s.call(Method::POST, "/api/ssh-keys/quick-setup", Some(request(&wrong))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")), "{body}");
    answers.push(body.to_string());
    let (status, body) = s.call(Method::POST, "/api/ssh-keys/quick-setup", Some(request(&account.password))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "SSH key generated and deployed successfully");
    assert_eq!(
        (body["ssh_key"]["name"].as_str(), body["ssh_key"]["key_type"].as_str()),
        (Some("deploy-box"), Some("ed25519"))
    );
    assert_eq!(body["connection"]["status"], "connected");
    let public_key = body["ssh_key"]["public_key"].as_str().unwrap().to_string();
    assert_eq!(account.authorized_keys().unwrap(), format!("{public_key}\n").into_bytes());
    answers.push(body.to_string());
    let id = body["connection"]["id"].as_i64().unwrap();
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
    assert_eq!(status, 200, "the system key goes on too: {body}");
    answers.push(body.to_string());
    let (status, body) = s.action(id, "test", None).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "{body}");
    let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
    let audit = audit.to_string();
    assert!(audit.contains("connection.deployed") && audit.contains("connection.tested"), "{audit}");
    answers.push(audit);

    drop(_guard);
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(!logged.is_empty(), "the log capture works");
    let db_dir = s.app.db._dir.as_ref().unwrap().path().to_path_buf();
    for password in [wrong.as_str(), account.password.as_str()] {
        assert!(!logged.contains(password), "a password in the log");
        for answer in &answers {
            assert!(!answer.contains(password), "a password in an answer or the audit log");
        }
        for file in files_under(&db_dir) {
            assert!(
                !file.windows(password.len()).any(|w| w == password.as_bytes()),
                "a password in the database files"
            );
        }
    }
}
