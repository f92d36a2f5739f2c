//! Editing a real `authorized_keys` on a real sshd the hard ways: two deploys to one account at
//! once, a key that is there only as a comment or behind options, and a file that is a symlink.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use serde_json::json;

/// Two Keyhavens (two system keys) deploy to one account at the same moment: each edit takes the
/// account's lock on the host, so neither writes back a file without the other's key.
async fn two_deploys_at_once_keep_both_keys(sftp: bool) {
    let Some(sshd) = TestSshd::start() else { return };
    let account = if sftp { TestAccount::sftp_only() } else { TestAccount::shell() };
    account.write_authorized_keys(b"# kept\n");
    let (one, two) = (SshApp::start(None).await, SshApp::start(None).await);
    let mut ids = Vec::new();
    for s in [&one, &two] {
        s.trust(sshd.port, &sshd.host_keys()[0]).await;
        ids.push(s.connection(sshd.port, &account.name, sftp, None).await);
    }
    let password = json!({"password": account.password});
    for round in 0..3 {
        account.write_authorized_keys(b"# kept\n");
        let ((a, body_a), (b, body_b)) = tokio::join!(
            one.action(ids[0], "redeploy", Some(password.clone())),
            two.action(ids[1], "redeploy", Some(password.clone()))
        );
        assert_eq!((a, b), (200, 200), "round {round}: {body_a} {body_b}");
        let content = String::from_utf8(account.authorized_keys().unwrap()).unwrap();
        assert!(content.starts_with("# kept\n"), "{content}");
        for key in [&one.system_key, &two.system_key] {
            assert_eq!(content.lines().filter(|l| l == key).count(), 1, "round {round}: each key once: {content}");
        }
        assert_eq!(content.lines().count(), 3, "{content}");
        let leftovers: Vec<_> = std::fs::read_dir(account.home.join(".ssh"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "authorized_keys")
            .collect();
        assert!(leftovers.is_empty(), "no lock or temporary file stays behind: {leftovers:?}");
    }
}

#[tokio::test]
async fn two_deploys_to_one_account_at_once_keep_both_keys_in_shell_mode() {
    two_deploys_at_once_keep_both_keys(false).await;
}

#[tokio::test]
async fn two_deploys_to_one_account_at_once_keep_both_keys_in_sftp_mode() {
    two_deploys_at_once_keep_both_keys(true).await;
}

async fn commented_restricted_and_linked_files(sftp: bool) {
    let Some(sshd) = TestSshd::start() else { return };
    let account = if sftp { TestAccount::sftp_only() } else { TestAccount::shell() };
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let id = s.connection(sshd.port, &account.name, sftp, None).await;
    let password = json!({"password": account.password});

    // Commented out: not installed. The comment stays and an active line is added, with a note.
    let commented = format!("# {}\n", s.system_key);
    account.write_authorized_keys(commented.as_bytes());
    let (status, body) = s.action(id, "redeploy", Some(password.clone())).await;
    assert_eq!((status, body["already_installed"].as_bool()), (200, Some(false)), "{body}");
    assert!(body.to_string().contains("commented-out"), "the note says why a line was added: {body}");
    assert_eq!(account.authorized_keys().unwrap(), format!("{commented}{}\n", s.system_key).into_bytes());

    // Behind options that keep it out: left as the administrator wrote it, and explained.
    let fenced = format!("from=\"192.0.2.1\" {}\n", s.system_key);
    account.write_authorized_keys(fenced.as_bytes());
    let (status, body) = s.action(id, "redeploy", Some(password.clone())).await;
    assert!((400..500).contains(&status) || status == 502, "{status} {body}");
    assert!(body.to_string().contains("from=\\\"192.0.2.1\\\""), "the options are named: {body}");
    assert_eq!(account.authorized_keys().unwrap(), fenced.into_bytes(), "nothing added beside a restricted line");

    // A symlink: its target is edited, the link stays.
    let ssh_dir = account.home.join(".ssh");
    std::fs::remove_file(ssh_dir.join("authorized_keys")).unwrap();
    std::fs::write(ssh_dir.join("managed_keys"), b"# managed elsewhere\n").unwrap();
    std::os::unix::fs::symlink("managed_keys", ssh_dir.join("authorized_keys")).unwrap();
    let owner = format!("{0}:{0}", account.name);
    assert!(
        std::process::Command::new("chown")
            .args(["-h", &owner])
            .arg(ssh_dir.join("authorized_keys"))
            .status()
            .unwrap()
            .success()
    );
    assert!(
        std::process::Command::new("chown")
            .args([&owner])
            .arg(ssh_dir.join("managed_keys"))
            .status()
            .unwrap()
            .success()
    );
    assert!(
        std::process::Command::new("chmod")
            .args(["0600"])
            .arg(ssh_dir.join("managed_keys"))
            .status()
            .unwrap()
            .success()
    );
    let (status, body) = s.action(id, "redeploy", Some(password)).await;
    assert_eq!(status, 200, "{body}");
    let link = std::fs::symlink_metadata(ssh_dir.join("authorized_keys")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let target = std::fs::read_to_string(ssh_dir.join("managed_keys")).unwrap();
    assert_eq!(target, format!("# managed elsewhere\n{}\n", s.system_key));
}

#[tokio::test]
async fn commented_restricted_and_linked_files_in_shell_mode() {
    commented_restricted_and_linked_files(false).await;
}

#[tokio::test]
async fn commented_restricted_and_linked_files_in_sftp_mode() {
    commented_restricted_and_linked_files(true).await;
}
