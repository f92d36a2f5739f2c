//! Installing a public key in the remote `~/.ssh/authorized_keys` on a session that is already
//! logged in: what `ssh-copy-id` does, over SFTP or through one fixed `sh` script. The key travels
//! as data (a file's content or the script's stdin), never inside a command line.

use super::authorized_keys::{Merge, loosely_writable, merge};
use super::client::Session;
use super::error::SshError;
use super::sftp::{RemoteFs, random_suffix};

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

pub(super) fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

pub(super) fn parent(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) => "/",
        Some((dir, _)) => dir,
        None => ".",
    }
}

/// The lock directory every Keyhaven edit of `~/.ssh/authorized_keys` takes (mkdir is atomic).
pub(super) const LOCK_DIR: &str = ".keyhaven-lock";
pub(super) const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(15);
/// An edit takes well under a second; a lock this old was left by a crash.
pub(super) const LOCK_STALE: std::time::Duration = std::time::Duration::from_secs(120);

const COMMENTED_NOTE: &str = "a commented-out line held the key; it stays, and an active line was added below it";

/// Over SFTP: read, merge, upload to a temporary name, rename over the old file. A symbolic link is
/// followed: its target is replaced, the link stays.
pub async fn over_sftp(fs: &RemoteFs, key_line: &str) -> Result<Installed, SshError> {
    let home = fs.home().await?;
    let ssh_dir = join(&home, ".ssh");
    if fs.mode(&ssh_dir).await?.is_none() {
        fs.mkdir(&ssh_dir, 0o700).await?;
    }
    // Other editors (another Keyhaven, a shell-mode deploy) take the same lock directory.
    let lock = join(&ssh_dir, LOCK_DIR);
    fs.lock_dir(&lock, LOCK_WAIT, LOCK_STALE).await?;
    let edited = edit_over_sftp(fs, &home, &ssh_dir, key_line).await;
    fs.unlock_dir(&lock).await;
    edited
}

async fn edit_over_sftp(fs: &RemoteFs, home: &str, ssh_dir: &str, key_line: &str) -> Result<Installed, SshError> {
    let file = fs.resolve_link(&join(ssh_dir, "authorized_keys")).await?;
    let mut report = Installed::default();
    match merge(fs.read(&file).await?.as_deref(), key_line) {
        Merge::AlreadyPresent => {}
        Merge::PresentWithOptions(options) => return Err(SshError::KeyRestricted(options)),
        Merge::Updated { content, was_commented } => {
            let temp = join(parent(&file), &format!(".authorized_keys.keyhaven-{}", random_suffix()));
            if let Err(err) = fs.write_new(&temp, &content, 0o600).await {
                let _ = fs.remove(&temp).await;
                return Err(disk_full_or(fs, home, err).await);
            }
            if let Err(err) = fs.replace(&temp, &file).await {
                let _ = fs.remove(&temp).await;
                return Err(err);
            }
            report.written = true;
            if was_commented {
                report.warnings.push(COMMENTED_NOTE.into());
            }
        }
    }
    for (what, path) in [("the home directory", home), ("the .ssh directory", ssh_dir)] {
        if fs.mode(path).await?.is_some_and(loosely_writable) {
            report.warnings.push(strict_modes_warning(what, path));
        }
    }
    Ok(report)
}

/// SFTP reports a full disk as a generic failure; the free space tells.
pub(super) async fn disk_full_or(fs: &RemoteFs, home: &str, err: SshError) -> SshError {
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
l=.ssh/.keyhaven-lock
n=0
until mkdir "$l" 2>/dev/null; do
  find .ssh -maxdepth 1 -name .keyhaven-lock -mmin +2 -exec rmdir {} \; 2>/dev/null
  n=$((n+1)); [ "$n" -le 15 ] || exit 98
  sleep 1
done
trap "rmdir $l" EXIT
f=.ssh/authorized_keys
if [ -L "$f" ]; then
  f=$(readlink -f "$f" 2>/dev/null) && [ -n "$f" ] || exit 97
fi
held=$(grep -F -- "$blob" "$f" 2>/dev/null)
active=$(printf "%s\n" "$held" | grep -v "^[[:space:]]*#" | grep -F -- " $blob")
plain=$(printf "%s\n" "$active" | grep -E "^[[:space:]]*(ssh-|ecdsa-|sk-)")
if [ -n "$plain" ]; then
  echo keyhaven:present
elif [ -n "$active" ]; then
  printf "keyhaven:options:%s\n" "$(printf "%s\n" "$active" | head -n 1 | cut -c 1-300)"
else
  [ -n "$held" ] && echo keyhaven:commented
  t=$(dirname "$f")/.authorized_keys.keyhaven-$$-$KEYHAVEN_NONCE
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
    let command = format!("KEYHAVEN_NONCE={} sh -c '{INSTALL_SCRIPT}'", random_suffix());
    let input = format!("{}\n", key_line.trim_end());
    let output = session.exec(&command, Some(input.as_bytes())).await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first_error = stderr.lines().next().unwrap_or("").trim().to_string();
    if let Some(options) = stdout.lines().find_map(|l| l.strip_prefix("keyhaven:options:")) {
        let options = options.split_whitespace().take_while(|w| !is_key_type(w)).collect::<Vec<_>>().join(" ");
        return Err(SshError::KeyRestricted(options));
    }
    let written = stdout.contains("keyhaven:written");
    if !written && !stdout.contains("keyhaven:present") {
        return Err(match output.exit_status {
            Some(_) if stderr.contains("No space left") => SshError::DiskFull,
            Some(93) => SshError::PermissionDenied("~/.ssh cannot be created".into()),
            Some(94 | 96) => SshError::PermissionDenied("~/.ssh/authorized_keys".into()),
            Some(95) => SshError::PermissionDenied("~/.ssh (the new file cannot be written)".into()),
            Some(97) => SshError::UnfollowableLink("~/.ssh/authorized_keys".into()),
            Some(98) => SshError::Busy("~/.ssh/.keyhaven-lock".into()),
            _ => SshError::RestrictedShell(if first_error.is_empty() { "no output".into() } else { first_error }),
        });
    }
    let mut warnings = Vec::new();
    if written && stdout.contains("keyhaven:commented") {
        warnings.push(COMMENTED_NOTE.to_string());
    }
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

fn is_key_type(word: &str) -> bool {
    word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-")
}

#[cfg(test)]
mod tests {
    use super::INSTALL_SCRIPT;

    #[test]
    fn the_script_can_be_single_quoted() {
        assert!(!INSTALL_SCRIPT.contains('\''), "the script is passed inside '...'");
    }
}
