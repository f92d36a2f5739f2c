//! `POST …/connections/{id}/verify-borg`: is `borg` on the remote, which version, where. One fixed
//! command in the login shell (a marker line, then `command -v borg && borg --version`), so nothing
//! from a request reaches the remote; without the marker, the account ran something else. A key restricted to a forced command (`borg serve`) or an SFTP-only account
//! cannot run it: that is reported as what it is, never as "borg is missing".

use super::login::{Opened, open_connection};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::remote::{SshGate, ssh_failure};
use crate::server::ssh::error::SshError;
use sea_orm::DatabaseConnection;

const MARKER: &str = "keyhaven-borg-check";
const COMMAND: &str = "echo keyhaven-borg-check; command -v borg && borg --version";

/// What the remote said about borg.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BorgCheck {
    /// `None` when the account cannot run a command to find out (forced command, SFTP only).
    pub installed: Option<bool>,
    /// `1.2.4`, from `borg --version`.
    pub version: Option<String>,
    /// Where `borg` is, from `command -v`.
    pub path: Option<String>,
    /// Why borg is not usable, or why it could not be checked.
    pub error: Option<String>,
}

/// Reads the answer: the marker, then the path and `borg X.Y.Z`. Without the marker the command
/// never ran (a forced command or a restricted shell ran instead).
fn read_answer(exit_status: Option<u32>, stdout: &str) -> BorgCheck {
    let mut lines = stdout.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(MARKER) {
        return BorgCheck {
            error: Some(
                "This account does not run commands (a forced command such as borg serve, or a restricted shell), so borg's version cannot be asked; a forced borg serve still serves backups."
                    .into(),
            ),
            ..Default::default()
        };
    }
    let path = lines.next().filter(|p| p.starts_with('/')).map(str::to_string);
    let version = lines.next().and_then(|l| l.strip_prefix("borg ")).map(|v| v.trim().to_string());
    match (exit_status, path, version) {
        (Some(0), Some(path), Some(version)) => {
            BorgCheck { installed: Some(true), version: Some(version), path: Some(path), error: None }
        }
        (Some(0), Some(path), None) => BorgCheck {
            installed: Some(true),
            path: Some(path),
            error: Some("borg is there but `borg --version` printed no version.".into()),
            ..Default::default()
        },
        (_, None, _) => BorgCheck {
            installed: Some(false),
            error: Some("borg is not installed (or not on the login PATH) on the remote host.".into()),
            ..Default::default()
        },
        (_, Some(path), _) => BorgCheck {
            installed: Some(true),
            path: Some(path),
            error: Some("borg is there but `borg --version` failed.".into()),
            ..Default::default()
        },
    }
}

/// Logs in to connection `id` with its key and asks the remote for borg.
pub async fn verify_borg(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<BorgCheck, ServiceError> {
    let Opened { connection, session, .. } = open_connection(db, gate, master, id).await?;
    let answer = session.exec(COMMAND, None).await;
    session.close().await;
    match answer {
        Ok(out) => Ok(read_answer(out.exit_status, &String::from_utf8_lossy(&out.stdout))),
        // The server refused a command channel: an SFTP-only account (internal-sftp, a Storage Box).
        Err(SshError::Protocol(_)) if connection.use_sftp_mode => {
            Ok(BorgCheck { error: Some("This account is SFTP only; it cannot run borg.".into()), ..Default::default() })
        }
        Err(err) => Err(ssh_failure("session", err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_for_what_they_are() {
        let found = read_answer(Some(0), "keyhaven-borg-check\n/usr/bin/borg\nborg 1.2.4\n");
        assert_eq!(
            (found.installed, found.version.as_deref(), found.path.as_deref()),
            (Some(true), Some("1.2.4"), Some("/usr/bin/borg"))
        );
        assert_eq!(read_answer(Some(1), "keyhaven-borg-check\n").installed, Some(false), "command -v found nothing");
        let forced = read_answer(Some(1), "");
        assert_eq!(forced.installed, None, "a forced command ran instead: unknown, not missing");
        assert!(forced.error.unwrap().contains("forced command"));
        assert_eq!(read_answer(Some(0), "This service allows sftp connections only.\n").installed, None);
        let odd = read_answer(Some(0), "keyhaven-borg-check\n/opt/borg\n");
        assert_eq!((odd.installed, odd.version), (Some(true), None));
        assert_eq!(read_answer(Some(2), "keyhaven-borg-check\n/opt/borg\n").installed, Some(true));
    }
}
