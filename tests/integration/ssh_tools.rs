//! The files and socket for other tools: `ssh -F data/ssh/ssh_config keyhaven-<id>` logs in to a
//! real sshd with the managed key served by Keyhaven's agent, checking the host against the
//! derived known_hosts. The agent lists and signs, and refuses to have keys added or removed.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use keyhaven::server::services::keys::{self, DatabaseKeys};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

/// Runs a command off the runtime, so the agent (a task on this runtime) can answer it.
async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

#[tokio::test]
async fn ssh_with_the_derived_config_and_the_agent_socket_logs_in() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    let data_dir = s.app.state.settings.data_dir.clone();
    let keys = DatabaseKeys { db: s.app.db.conn.clone(), master: s.app.state.master_key.clone() };
    keys::start_agent(&data_dir, keys).unwrap();
    let socket = keys::socket_path(&data_dir);
    assert_eq!(std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777, 0o600);

    let config = data_dir.join("ssh/ssh_config");
    assert!(std::fs::read_to_string(&config).unwrap().contains("Include \""), "the blocks are in config.d");
    let text = std::fs::read_to_string(data_dir.join("ssh/config.d/000000.conf")).unwrap();
    assert!(text.contains(&format!("Host keyhaven-{id}\n")) && text.contains("StrictHostKeyChecking yes"), "{text}");
    let known = std::fs::read_to_string(data_dir.join("ssh/known_hosts")).unwrap();
    assert!(known.starts_with(&format!("[127.0.0.1]:{} ", sshd.port)), "{known}");

    let mut ssh = Command::new("ssh");
    ssh.arg("-F").arg(&config).args(["-o", "BatchMode=yes", &format!("keyhaven-{id}"), "echo", "agent-ok"]);
    let out = output(ssh).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "agent-ok", "{stderr}\n{}", sshd.log());

    let ssh_add = |flag: &str| {
        let mut command = Command::new("ssh-add");
        command.arg(flag).env("SSH_AUTH_SOCK", &socket);
        output(command)
    };
    let listed = ssh_add("-l").await;
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(listed.contains("keyhaven:System SSH Key") && listed.contains("SHA256:"), "{listed}");
    let removed = ssh_add("-D").await;
    assert!(!removed.status.success(), "the agent refuses to drop keys");
    let again = ssh_add("-l").await;
    assert_eq!(String::from_utf8_lossy(&again.stdout), listed);

    // A deleted connection disappears from the config at once.
    let (status, _) = s.call(axum::http::Method::DELETE, &format!("/api/ssh-keys/connections/{id}"), None).await;
    assert_eq!(status, 200);
    assert!(!std::fs::read_to_string(&config).unwrap().contains(&format!("keyhaven-{id}")));
}
