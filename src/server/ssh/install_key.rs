//! Installing a public key in the remote `~/.ssh/authorized_keys` on a session that is already
//! logged in: what `ssh-copy-id` does, over SFTP or through one fixed `sh` script. The key travels
//! as data (a file's content or the script's stdin), never inside a command line.

use super::authorized_keys::{Merge, loosely_writable, merge};
use super::client::Session;
use super::error::SshError;
use super::sftp::RemoteFs;

/// What an install did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Installed {
    /// False when the key was already in the file (nothing written).
    pub written: bool,
    /// Problems that would make sshd ignore the key (StrictModes).
    pub warnings: Vec<String>,
}

fn strict_modes_warning(what: &str, path: &str) -> String {
    format!("{what} {path} is writable by group or others; sshd's StrictModes will ignore the key until it is not")
}

fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

/// Over SFTP: read, merge, upload to a temporary name, rename over the old file.
pub async fn over_sftp(fs: &RemoteFs, key_line: &str) -> Result<Installed, SshError> {
    let home = fs.home().await?;
    let ssh_dir = join(&home, ".ssh");
    let file = join(&ssh_dir, "authorized_keys");
    if fs.mode(&ssh_dir).await?.is_none() {
        fs.mkdir(&ssh_dir, 0o700).await?;
    }
    let mut report = Installed::default();
    if let Merge::Updated(content) = merge(fs.read(&file).await?.as_deref(), key_line) {
        let temp = join(&ssh_dir, &format!(".authorized_keys.keyhaven-{}", std::process::id()));
        let _ = fs.remove(&temp).await;
        if let Err(err) = fs.write_new(&temp, &content, 0o600).await {
            let _ = fs.remove(&temp).await;
            return Err(disk_full_or(fs, &home, err).await);
        }
        if let Err(err) = fs.replace(&temp, &file).await {
            let _ = fs.remove(&temp).await;
            return Err(err);
        }
        report.written = true;
    }
    for (what, path) in [("the home directory", &home), ("the .ssh directory", &ssh_dir)] {
        if fs.mode(path).await?.is_some_and(loosely_writable) {
            report.warnings.push(strict_modes_warning(what, path));
        }
    }
    Ok(report)
}

/// SFTP reports a full disk as a generic failure; the free space tells.
async fn disk_full_or(fs: &RemoteFs, home: &str, err: SshError) -> SshError {
    match fs.usage(home).await {
        Ok(Some(usage)) if usage.available == 0 => SshError::DiskFull,
        _ => err,
    }
}

/// The shell installer. Fixed text: the key arrives on stdin. Exit codes name the failing step.
const INSTALL_SCRIPT: &str = r#"umask 077
IFS= read -r key || exit 91
blob=${key#* }; blob=${blob%% *}
[ -n "$blob" ] || exit 91
cd || exit 92
[ -d .ssh ] || mkdir .ssh || exit 93
f=.ssh/authorized_keys
if [ -f "$f" ] && grep -qF -- "$blob" "$f"; then
  echo keyhaven:present
else
  t=.ssh/.authorized_keys.keyhaven-$$
  if [ -s "$f" ]; then
    cat "$f" > "$t" || { rm -f "$t"; exit 94; }
    [ -z "$(tail -c 1 "$f")" ] || echo >> "$t" || { rm -f "$t"; exit 95; }
  else
    : > "$t" || exit 95
  fi
  printf "%s\n" "$key" >> "$t" || { rm -f "$t"; exit 95; }
  chmod 600 "$t" && mv -f "$t" "$f" || { rm -f "$t"; exit 96; }
  echo keyhaven:written
fi
ls -ldn . .ssh
"#;

/// Through the login shell: one `sh` script, key on stdin.
pub async fn over_shell(session: &Session, key_line: &str) -> Result<Installed, SshError> {
    let command = format!("sh -c '{INSTALL_SCRIPT}'");
    let input = format!("{}\n", key_line.trim_end());
    let output = session.exec(&command, Some(input.as_bytes())).await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first_error = stderr.lines().next().unwrap_or("").trim().to_string();
    let written = stdout.contains("keyhaven:written");
    if !written && !stdout.contains("keyhaven:present") {
        return Err(match output.exit_status {
            Some(_) if stderr.contains("No space left") => SshError::DiskFull,
            Some(93) => SshError::PermissionDenied("~/.ssh cannot be created".into()),
            Some(94 | 96) => SshError::PermissionDenied("~/.ssh/authorized_keys".into()),
            Some(95) => SshError::PermissionDenied("~/.ssh (the new file cannot be written)".into()),
            _ => SshError::RestrictedShell(if first_error.is_empty() { "no output".into() } else { first_error }),
        });
    }
    let mut warnings = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with('d')) {
        let mode = line.split_whitespace().next().unwrap_or("");
        let loose = mode.as_bytes().get(5) == Some(&b'w') || mode.as_bytes().get(8) == Some(&b'w');
        if loose {
            let what =
                if line.ends_with(".ssh") { ("the .ssh directory", "~/.ssh") } else { ("the home directory", "~") };
            warnings.push(strict_modes_warning(what.0, what.1));
        }
    }
    Ok(Installed { written, warnings })
}

#[cfg(test)]
mod tests {
    use super::INSTALL_SCRIPT;

    #[test]
    fn the_script_can_be_single_quoted() {
        assert!(!INSTALL_SCRIPT.contains('\''), "the script is passed inside '...'");
    }
}
