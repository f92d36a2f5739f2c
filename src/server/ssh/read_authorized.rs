//! Reading the remote `~/.ssh/authorized_keys` for the inventory, on a session that is already
//! logged in: over SFTP, or through one fixed `sh` script. Read only — no lock is taken, since a
//! read never conflicts with Keyhaven's editor, which replaces the file by rename.

use super::client::Session;
use super::error::SshError;
use super::sftp::RemoteFs;

/// What was found.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// The file's bytes, as they are (a symbolic link is followed).
    File(Vec<u8>),
    /// No `authorized_keys`: no key can log in to this account with a file.
    Missing,
}

/// Over SFTP (the only way into a Storage Box or another SFTP-only account).
pub async fn over_sftp(fs: &RemoteFs) -> Result<Found, SshError> {
    let home = fs.home().await?;
    let path = format!("{}/.ssh/authorized_keys", home.trim_end_matches('/'));
    let file = fs.resolve_link(&path).await?;
    Ok(fs.read(&file).await?.map_or(Found::Missing, Found::File))
}

/// The shell reader. Fixed text: a marker line first, so that a forced command's output (a
/// `borg serve` error, say) is never taken for the file.
const READ_SCRIPT: &str = r#"cd || exit 92
f=.ssh/authorized_keys
if [ ! -e "$f" ]; then echo keyhaven:missing; exit 0; fi
echo keyhaven:file
cat -- "$f" || exit 94"#;

/// Through the login shell (a file larger than the command output limit is refused; SFTP mode
/// reads up to the SFTP limit).
pub async fn over_shell(session: &Session) -> Result<Found, SshError> {
    let output = session.exec(&format!("sh -c '{READ_SCRIPT}'"), None).await?;
    let stdout = output.stdout.as_slice();
    if output.exit_status == Some(0) && stdout.starts_with(b"keyhaven:missing\n") {
        return Ok(Found::Missing);
    }
    if output.exit_status == Some(0)
        && let Some(content) = stdout.strip_prefix(b"keyhaven:file\n".as_slice())
    {
        return Ok(Found::File(content.to_vec()));
    }
    // What a forced command printed says best why: its error, else its output.
    let said = |bytes: &[u8]| String::from_utf8_lossy(bytes).lines().next().unwrap_or("").trim().to_string();
    let first_error = Some(said(&output.stderr)).filter(|e| !e.is_empty()).unwrap_or_else(|| said(stdout));
    let first_error: String = first_error.chars().take(200).collect();
    Err(match output.exit_status {
        Some(94) => SshError::PermissionDenied("~/.ssh/authorized_keys cannot be read".into()),
        _ if stdout.starts_with(b"keyhaven:") => SshError::Protocol("the file could not be read whole".into()),
        _ => SshError::RestrictedShell(if first_error.is_empty() { "no output".into() } else { first_error }),
    })
}

#[cfg(test)]
mod tests {
    use super::READ_SCRIPT;

    #[test]
    fn the_script_can_be_single_quoted() {
        assert!(!READ_SCRIPT.contains('\''), "the script is passed inside '...'");
    }
}
