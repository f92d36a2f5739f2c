//! Deploy, test and storage against a real OpenSSH sshd: a shell user (shell mode) and a chrooted
//! SFTP-only user like a Hetzner Storage Box (SFTP mode). Nothing is written twice, other lines of
//! `authorized_keys` survive byte for byte, and no password reaches an untrusted host.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::{SshApp, local_df, stage_summary};
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::json;

const OTHER_LINES: &[u8] = b"# keep me \xff\r\nrestrict,command=\"borg serve\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther other@host\n\nno-newline-at-end";

fn accepted_passwords(sshd: &TestSshd, user: &str) -> usize {
    sshd.log().matches(&format!("Accepted password for {user} ")).count()
}

fn password_attempts(sshd: &TestSshd, user: &str) -> usize {
    accepted_passwords(sshd, user) + sshd.log().matches(&format!("Failed password for {user} ")).count()
}

#[tokio::test]
async fn shell_mode_deploys_once_keeps_other_lines_tests_and_measures_storage() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    account.write_authorized_keys(OTHER_LINES);
    let s = SshApp::start(None).await;
    let id = s.connection(sshd.port, &account.name, false, None).await;

    // Untrusted host: the test reports it, a deploy refuses it, and no password is sent.
    let (status, body) = s.action(id, "test", None).await;
    assert_eq!((status, body["success"].as_bool(), body["status"].as_str()), (200, Some(false), Some("failed")));
    assert_eq!(stage_summary(&body), ["tcp:ok", "host_key:failed", "authentication:skipped", "session:skipped"]);
    assert!(body["error"].as_str().unwrap().contains("host key not trusted: the host offered SHA256:"), "{body}");
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
    assert_eq!((status, body["field"].as_str()), (409, Some("host")), "{body}");
    assert_eq!(password_attempts(&sshd, &account.name), 0, "no password to an untrusted host");

    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": "wrong password"}))).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("password")), "{body}");
    assert_eq!(account.authorized_keys().unwrap(), OTHER_LINES, "a failed deploy writes nothing");

    let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["already_installed"], false);
    assert_eq!(stage_summary(&body), ["tcp:ok", "host_key:ok", "authentication:ok", "install:ok", "verify:ok"]);
    let expected = [OTHER_LINES, b"\n", s.system_key.as_bytes(), b"\n"].concat();
    assert_eq!(account.authorized_keys().unwrap(), expected, "old lines byte for byte, one newline added, the key");
    assert_eq!(body["connection"]["status"], "connected");

    let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
    assert_eq!((status, body["already_installed"].as_bool()), (200, Some(true)), "{body}");
    assert_eq!(account.authorized_keys().unwrap(), expected, "nothing written twice");
    assert_eq!(accepted_passwords(&sshd, &account.name), 1, "an installed key needs no password");

    let (status, body) = s.action(id, "test", None).await;
    assert_eq!(
        (status, body["success"].as_bool(), body["message"].as_str()),
        (200, Some(true), Some("Connection tested successfully"))
    );
    assert_eq!(stage_summary(&body), ["tcp:ok", "host_key:ok", "authentication:ok", "session:ok"]);
    assert!(body["note"].is_null() && body["error"].is_null());
    let listed = s.listed(id).await;
    assert_eq!(listed["status"], "connected");
    assert!(listed["last_success"].is_string() && listed["error_message"].is_null());
    let key_id = listed["ssh_key_id"].as_i64().unwrap();
    let (_, key) = s.call(Method::GET, &format!("/api/ssh-keys/{key_id}"), None).await;
    assert!(key.to_string().contains("\"last_used_at\":\"20"), "the key's last use is recorded: {key}");

    let (status, body) = s.action(id, "refresh-storage", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "Storage information refreshed successfully");
    let (total, _, available) = local_df(&account.home);
    assert_eq!(body["storage"]["total"].as_u64(), Some(total));
    let reported = body["storage"]["available"].as_u64().unwrap();
    assert!(reported.abs_diff(available) < 256 << 20, "available {reported} vs df {available}");
    assert!(body["storage"]["total_formatted"].as_str().unwrap().ends_with('B'));
    assert_eq!(s.listed(id).await["storage"], body["storage"]);

    let (status, _) = s.call(Method::DELETE, &format!("/api/ssh-keys/connections/{id}"), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_sftp_only_chrooted_user_gets_the_key_over_sftp_and_a_restricted_shell_note() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::sftp_only();
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[1]).await;
    let id = s.connection(sshd.port, &account.name, true, Some("/home")).await;

    let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
    assert_eq!(status, 200, "{body}\n{}", sshd.log());
    assert_eq!(account.authorized_keys().unwrap(), format!("{}\n", s.system_key).into_bytes());
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&account.home.join(".ssh")), 0o700);
    assert_eq!(mode(&account.home.join(".ssh/authorized_keys")), 0o600);

    let (status, body) = s.action(id, "test", None).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(true)), "{body}");
    let session = &body["stages"][3];
    assert_eq!(session["message"], "SFTP works; the login directory is /home");

    let (status, body) = s.action(id, "refresh-storage", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["storage"]["total"].as_u64(), Some(local_df(&account.home).0));

    // The same account in shell mode: sshd forces internal-sftp, so the shell answers nothing;
    // the key logs in, which is what counts.
    let (status, _) =
        s.call(Method::PUT, &format!("/api/ssh-keys/connections/{id}"), Some(json!({"use_sftp_mode": false}))).await;
    assert_eq!(status, 200);
    let (status, body) = s.action(id, "test", None).await;
    assert_eq!(
        (status, body["success"].as_bool(), body["status"].as_str()),
        (200, Some(true), Some("connected")),
        "{body}"
    );
    assert!(body["note"].as_str().unwrap().contains("restricted"), "{body}");
}

#[tokio::test]
async fn a_key_restricted_to_a_forced_command_is_connected_with_a_note() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    sshd.authorize(&account.name, &format!("restrict,command=\"echo borg serve would run\" {}", s.system_key));
    s.trust(sshd.port, &sshd.host_keys()[2]).await;
    for sftp in [false, true] {
        let id = s.connection(sshd.port, &account.name, sftp, None).await;
        let (status, body) = s.action(id, "test", None).await;
        assert_eq!(
            (status, body["success"].as_bool(), body["status"].as_str()),
            (200, Some(true), Some("connected")),
            "{body}"
        );
        assert!(body["note"].as_str().unwrap().contains("forced command"), "{body}");
        // A deploy sees the key already works and sends no password.
        let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
        assert_eq!((status, body["already_installed"].as_bool()), (200, Some(true)), "{body}");
    }
    assert_eq!(password_attempts(&sshd, &account.name), 0);
    assert!(account.authorized_keys().is_none(), "nothing written to the home");
}

#[tokio::test]
async fn a_group_writable_home_is_reported_in_shell_and_sftp_mode() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&account.home, std::fs::Permissions::from_mode(0o775)).unwrap();
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    for sftp in [false, true] {
        let _ = std::fs::remove_file(account.home.join(".ssh/authorized_keys"));
        let id = s.connection(sshd.port, &account.name, sftp, None).await;
        let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
        assert_eq!((status, body["already_installed"].as_bool()), (200, Some(false)), "sftp={sftp}: {body}");
        let warnings = body["warnings"].to_string();
        assert!(
            warnings.contains("the home directory") && warnings.contains("writable by group or others"),
            "{warnings}"
        );
        assert!(!warnings.contains(".ssh directory"), "~/.ssh was created 0700: {warnings}");
        assert_eq!(account.authorized_keys().unwrap(), format!("{}\n", s.system_key).into_bytes(), "sftp={sftp}");
    }
}

#[tokio::test]
async fn a_host_that_never_stops_talking_is_cut_off_at_64_kib() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    sshd.authorize(&account.name, &format!("restrict,command=\"yes flood\" {}", s.system_key));
    s.trust(sshd.port, &sshd.host_keys()[2]).await;
    let id = s.connection(sshd.port, &account.name, false, None).await;
    let started = std::time::Instant::now();
    let (status, body) = s.action(id, "test", None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.to_string().contains("more than 65536 bytes"), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "cut off, not read until the command timeout");
}

/// The connection list is kept ready between changes (Borg UI's frontend polls it): read before and
/// after each kind of change, it must follow every one — a test's status, a deploy, storage, a key's
/// new name, an edit and a deletion.
#[tokio::test]
async fn the_polled_connection_list_follows_every_kind_of_change() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.connection(sshd.port, &account.name, false, None).await;
    assert_eq!(s.listed(id).await["status"], "unknown");

    s.action(id, "test", None).await;
    assert_eq!(s.listed(id).await["status"], "failed", "a test's outcome (host not trusted yet)");

    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let (status, body) = s.action(id, "redeploy", Some(json!({"password": account.password}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.listed(id).await["status"], "connected", "a deploy");

    assert!(s.listed(id).await["storage"].is_null());
    let (status, body) = s.action(id, "refresh-storage", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.listed(id).await["storage"], body["storage"], "a storage refresh");

    let key_id = s.listed(id).await["ssh_key_id"].as_i64().unwrap();
    let (status, body) =
        s.call(Method::PUT, &format!("/api/ssh-keys/{key_id}"), Some(json!({"name": "Renamed Key"}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.listed(id).await["ssh_key_name"], "Renamed Key", "a key's new name");

    let path = format!("/api/ssh-keys/connections/{id}");
    let (status, _) = s.call(Method::PUT, &path, Some(json!({"default_path": "/srv"}))).await;
    assert_eq!(status, 200);
    assert_eq!(s.listed(id).await["default_path"], "/srv", "an edit");

    let (status, _) = s.call(Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
    let (_, body) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    assert_eq!(body["connections"], json!([]), "a deletion");
}
