//! The inventory against a real OpenSSH sshd: a shell user read through the shell, a chrooted
//! SFTP-only user read over SFTP, a key forced to a command (reported, not read), and a host whose
//! key is not trusted (no login at all). Every line is classified by fingerprint, drift is told
//! between reads, and the file on the host is never changed.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::{Value, json};

const ALICE: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N";
const SK: &str = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIIfx0roCFSXdKm446zMwdeYfPWjGo60ygMwESp9Do96BAAAABHNzaDo=";
const OTHER_KEYHAVEN: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE1lHlRxwpE4Lm/pbEGCYqkkMdVmc3S1lKhneSFZKOFxtJJdcDpn5LybiH7V7OObHgfpushHAATrMKvn5SCf4K8=";

async fn fresh_key(comment: &str) -> String {
    let spec = keyhaven::server::ssh::keys::KeySpec::parse("ed25519", None).unwrap();
    keyhaven::server::ssh::keys::generate(spec, comment).await.unwrap().public_openssh
}

fn path(id: i64) -> String {
    format!("/api/ssh-keys/connections/{id}/authorized-keys")
}

fn column(body: &Value, field: &str) -> Vec<Value> {
    body["lines"].as_array().unwrap().iter().map(|l| l[field].clone()).collect()
}

#[tokio::test]
async fn a_shell_users_file_is_classified_line_by_line_and_drift_is_told() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let (status, _) = s.call(Method::POST, "/user/keys", Some(json!({"title": "laptop", "key": ALICE}))).await;
    assert_eq!(status, 201);
    let (status, _) = s.call(Method::POST, "/user/repos", Some(json!({"name": "nas-backup"}))).await;
    assert_eq!(status, 201);
    let ci = fresh_key("ci@server").await;
    let (status, _) =
        s.call(Method::POST, "/repos/alice/nas-backup/keys", Some(json!({"title": "ci", "key": ci}))).await;
    assert_eq!(status, 201);
    let bob = fresh_key("bob@desk").await;
    let file = format!(
        "# managed by ops\n{system}\n\nrestrict,command=\"borg serve --restrict-to-path /srv/a\" {ALICE} alice@laptop\n\
         {ci}\n{bob}\n{OTHER_KEYHAVEN} keyhaven-old\n{SK} yubikey\nfrom=\"10.0.0.0/8\" {ALICE} again\n\
         ssh-rsa AAAAnot-a-key broken",
        system = s.system_key
    );
    account.write_authorized_keys(file.as_bytes());
    let id = s.connection(sshd.port, &account.name, false, None).await;

    let (status, body) = s.call(Method::GET, &path(id), None).await;
    assert_eq!(status, 404, "not read yet: {body}");
    // Untrusted host: nothing is read, the reason is kept.
    let (status, body) = s.call(Method::POST, &path(id), None).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(false)), "{body}");
    assert!(body["error"].as_str().unwrap().contains("host key not trusted"), "{body}");
    assert!(!sshd.log().contains(&format!("for {} ", account.name)), "no login to an untrusted host");

    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let (status, body) = s.call(Method::POST, &path(id), None).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "{body}");
    assert_eq!(body["file_exists"], true);
    assert_eq!(
        body["counts"],
        json!({"keys": 7, "keyhaven": 1, "person": 2, "deploy_key": 1, "other_keyhaven": 1, "noted": 0, "unknown": 2,
            "duplicates": 1, "invalid": 1})
    );
    assert_eq!(
        column(&body, "kind"),
        ["comment", "key", "blank", "key", "key", "key", "key", "key", "key", "invalid"].map(Value::from)
    );
    assert_eq!(
        column(&body, "class"),
        [
            Value::Null,
            "keyhaven".into(),
            Value::Null,
            "person".into(),
            "deploy_key".into(),
            "unknown".into(),
            "other_keyhaven".into(),
            "unknown".into(),
            "person".into(),
            Value::Null
        ]
    );
    let lines = &body["lines"];
    assert_eq!(lines[1]["holder"], "System SSH Key");
    assert_eq!(lines[3]["holder"], "alice (laptop)");
    assert_eq!(lines[3]["options"], json!(["restrict", "command=\"borg serve --restrict-to-path /srv/a\""]));
    assert_eq!(lines[4]["holder"], "alice/nas-backup (ci)");
    assert_eq!(lines[7]["key_type"], "sk-ssh-ed25519@openssh.com");
    assert_eq!(lines[8]["duplicate_of"], 4);
    assert_eq!(lines[8]["options"], json!(["from=\"10.0.0.0/8\""]));
    assert!(body["drift"].is_null(), "the first good read has nothing to compare with");
    assert_eq!(account.authorized_keys().unwrap(), file.as_bytes(), "the read changed nothing");
    let (status, latest) = s.call(Method::GET, &path(id), None).await;
    assert_eq!((status, &latest), (200, &body));

    // Bob's line goes, a new one comes: drift names both.
    let carol = fresh_key("carol@desk").await;
    account.write_authorized_keys(file.replace(&format!("{bob}\n"), "").replace("# managed", &carol).as_bytes());
    let (_, body) = s.call(Method::POST, &path(id), None).await;
    let key_of = |line: &str| line.rsplit_once(' ').unwrap().0.to_string();
    assert_eq!(body["drift"]["added"], json!([key_of(&carol)]), "{body}");
    assert_eq!(body["drift"]["removed"], json!([key_of(&bob)]));
    assert_eq!(body["drift"]["since"], latest["read_at"]);

    let (_, audit) = s.call(Method::GET, "/api/audit?action=inventory.read", None).await;
    let text = audit.to_string();
    assert!(text.contains("inventory.read") && text.contains("since the read before: 1 added, 1 removed"), "{text}");
    assert!(!text.contains(&key_of(&carol)), "the audit log holds counts, not key material");

    // The fleet view, from the reads kept.
    let fingerprint = "SHA256:rvSkWcatk8ih7k2nerDoZ6KBvT4gHgzkZhWdE/wCBXs".replace('+', "%2B");
    let (status, body) = s.call(Method::GET, &format!("/api/inventory?fingerprint={fingerprint}"), None).await;
    assert_eq!((status, body["total"].as_u64()), (200, Some(1)), "{body}");
    let entry = &body["connections"][0];
    assert_eq!(entry["connection_id"], id);
    assert_eq!(column(entry, "number"), [json!(4), json!(8)], "alice's two lines, now that bob's is gone");
    let (_, body) = s.call(Method::GET, "/api/inventory?class=unknown", None).await;
    let unknown: Vec<Value> = column(&body["connections"][0], "comment");
    assert_eq!(unknown, [json!("carol@desk by ops"), json!("yubikey")]);
    for (query, field) in [("class=nobody", "class"), ("fingerprint=MD5:aa", "fingerprint")] {
        let (status, body) = s.call(Method::GET, &format!("/api/inventory?{query}"), None).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{body}");
    }
}

#[tokio::test]
async fn an_sftp_only_user_is_read_over_sftp_and_a_missing_file_is_said() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::sftp_only();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, true).await;
    let (status, body) = s.call(Method::POST, &path(id), None).await;
    assert_eq!((status, body["success"].as_bool(), body["file_exists"].as_bool()), (200, Some(true), Some(false)));
    assert_eq!(body["lines"], json!([]));

    let other = fresh_key("keyhaven-elsewhere").await;
    account.write_authorized_keys(format!("{other}\n{}\n", s.system_key).as_bytes());
    let (_, body) = s.call(Method::POST, &path(id), None).await;
    assert_eq!(column(&body, "class"), ["other_keyhaven", "keyhaven"].map(Value::from), "{body}");
    assert!(body["drift"]["added"].as_array().unwrap().len() == 2, "both lines are new: {body}");
}

#[tokio::test]
async fn a_key_forced_to_a_command_is_reported_and_the_host_is_left_alone() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    sshd.authorize(&account.name, &format!("restrict,command=\"echo borg serve only\" {}", s.system_key));
    let (status, body) = s.call(Method::POST, &path(id), None).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(false)), "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("borg serve only") || error.contains("restricted"), "{error}");
    assert_eq!(body["lines"], json!([]));
    assert!(account.authorized_keys().is_none(), "nothing was written on the host");
    let (_, latest) = s.call(Method::GET, &path(id), None).await;
    assert_eq!(latest["error"], body["error"], "the failed read is kept with its reason");
}

#[tokio::test]
async fn a_line_is_removed_exactly_never_the_key_keyhaven_logs_in_with_over_the_shell_and_sftp() {
    let Some(sshd) = TestSshd::start() else { return };
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let bob = fresh_key("bob@desk").await;
    for (account, sftp) in [(TestAccount::shell(), false), (TestAccount::sftp_only(), true)] {
        let file = format!("# ops\r\n{}\nfrom=\"10.0.0.1\" {bob}\n{ALICE}\n", s.system_key.trim());
        account.write_authorized_keys(file.as_bytes());
        let id = s.connection(sshd.port, &account.name, sftp, None).await;
        let (status, _) = s.call(Method::POST, &path(id), None).await;
        assert_eq!(status, 200);
        let remove = format!("{}/remove", path(id));

        let unwanted = format!("from=\"10.0.0.1\" {bob}");
        let (status, body) = s.call(Method::POST, &remove, Some(json!({"line": unwanted}))).await;
        assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "{body}");
        let expected = format!("# ops\r\n{}\n{ALICE}\n", s.system_key.trim());
        assert_eq!(String::from_utf8(account.authorized_keys().unwrap()).unwrap(), expected, "sftp={sftp}");
        assert_eq!((body["counts"]["keys"].as_u64(), body["counts"]["unknown"].as_u64()), (Some(2), Some(1)), "{body}");
        assert_eq!(body["drift"]["removed"].as_array().unwrap().len(), 1, "{body}");

        let (status, body) = s.call(Method::POST, &remove, Some(json!({"line": s.system_key.trim()}))).await;
        assert_eq!((status, body["field"].as_str()), (409, Some("line")), "never the key it logs in with: {body}");
        let (status, body) = s.call(Method::POST, &remove, Some(json!({"line": unwanted}))).await;
        assert_eq!((status, body["field"].as_str()), (409, Some("line")), "gone already: {body}");
        let (status, body) = s.call(Method::POST, &remove, Some(json!({"line": "  "}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("line")), "{body}");
        assert_eq!(String::from_utf8(account.authorized_keys().unwrap()).unwrap(), expected, "nothing else lost");
    }
    let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
    assert!(audit.to_string().contains("inventory.line_removed"), "{audit}");
}
