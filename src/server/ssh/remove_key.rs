//! Removing a key's lines (key rotation's last step on a host) or one exact line (the inventory's
//! Remove) from the remote `~/.ssh/authorized_keys` on a session already logged in with the key
//! that stays. What goes is decided by
//! `authorized_keys::remove` alone, in Rust, for both ways in: only active option-less lines of the
//! old key, only while the key that stays is on an active line, every other byte kept.
//! Over SFTP the read, the decision and the rename happen under the editors' lock directory; through
//! the shell the file is read first and written by a fixed script that takes the same lock and
//! refuses if the file changed since the read (its checksum), so a concurrent edit is never lost.

use super::authorized_keys::{Removal, remove, remove_line};
use super::client::Session;
use super::error::SshError;
use super::install_key::{LOCK_DIR, LOCK_STALE, LOCK_WAIT, disk_full_or, join, parent};
use super::sftp::{RemoteFs, random_suffix};

/// What a removal did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    /// Lines taken out (0: the old key was not in the file; nothing was written).
    pub lines: usize,
}

/// What goes: a key's plain lines, or one exact line (the inventory's Remove). Either way only
/// while `keep_blob` (the key the editor logged in with) stays on an active line.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    Key { old_blob: &'a str, keep_blob: &'a str },
    Line { text: &'a str, keep_blob: &'a str },
}

fn decide(content: Option<&[u8]>, target: Target<'_>) -> Result<Option<(Vec<u8>, usize)>, SshError> {
    let content = content.unwrap_or_default();
    let removal = match target {
        Target::Key { old_blob, keep_blob } => remove(content, old_blob, keep_blob),
        Target::Line { text, keep_blob } => remove_line(content, text, keep_blob),
    };
    match removal {
        Removal::NotPresent => Ok(None),
        Removal::KeepMissing => Err(SshError::WouldLockOut),
        Removal::Restricted(options) => Err(SshError::KeyRestricted(options)),
        Removal::Updated { content, removed } => Ok(Some((content, removed))),
    }
}

/// Over SFTP: lock, read, decide, upload to a temporary name, rename over the old file, unlock.
pub async fn over_sftp(fs: &RemoteFs, target: Target<'_>) -> Result<Removed, SshError> {
    let home = fs.home().await?;
    let ssh_dir = join(&home, ".ssh");
    let lock = join(&ssh_dir, LOCK_DIR);
    fs.lock_dir(&lock, LOCK_WAIT, LOCK_STALE).await?;
    let edited = edit_over_sftp(fs, &home, &ssh_dir, target).await;
    fs.unlock_dir(&lock).await;
    edited
}

async fn edit_over_sftp(fs: &RemoteFs, home: &str, ssh_dir: &str, target: Target<'_>) -> Result<Removed, SshError> {
    let file = fs.resolve_link(&join(ssh_dir, "authorized_keys")).await?;
    let Some((content, lines)) = decide(fs.read(&file).await?.as_deref(), target)? else {
        return Ok(Removed::default());
    };
    let temp = join(parent(&file), &format!(".authorized_keys.keyhaven-{}", random_suffix()));
    if let Err(err) = fs.write_new(&temp, &content, 0o600).await {
        let _ = fs.remove(&temp).await;
        return Err(disk_full_or(fs, home, err).await);
    }
    if let Err(err) = fs.replace(&temp, &file).await {
        let _ = fs.remove(&temp).await;
        return Err(err);
    }
    Ok(Removed { lines })
}

/// Reads the file with its checksum (`cksum`, spaces as `-`), behind a marker line.
const READ_SCRIPT: &str = r#"cd || exit 92
f=.ssh/authorized_keys
if [ -L "$f" ]; then
  f=$(readlink -f "$f" 2>/dev/null) && [ -n "$f" ] || exit 97
fi
[ -e "$f" ] || { echo keyhaven:missing; exit 0; }
printf "keyhaven:sum:%s\n" "$(cksum < "$f" | tr " " -)"
cat -- "$f" || exit 94"#;

/// Writes stdin as the new file, under the lock, only if the file still has the checksum read.
const WRITE_SCRIPT: &str = r#"umask 077
cd || exit 92
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
[ "$(cksum < "$f" | tr " " -)" = "$KEYHAVEN_SUM" ] || exit 90
t=$(dirname "$f")/.authorized_keys.keyhaven-$$-$KEYHAVEN_NONCE
cat > "$t" || { rm -f "$t"; exit 95; }
chmod 600 "$t" && mv -f "$t" "$f" || { rm -f "$t"; exit 96; }
echo keyhaven:written"#;

fn restricted(output: &super::client::ExecOutput) -> SshError {
    let said = String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("").trim().to_string();
    SshError::RestrictedShell(if said.is_empty() { "no output".into() } else { said.chars().take(200).collect() })
}

/// Through the login shell: one script reads, Rust decides, a second script writes.
pub async fn over_shell(session: &Session, target: Target<'_>) -> Result<Removed, SshError> {
    let read = session.exec(&format!("sh -c '{READ_SCRIPT}'"), None).await?;
    if read.exit_status == Some(0) && read.stdout.starts_with(b"keyhaven:missing\n") {
        return decide(None, target).map(|_| Removed::default());
    }
    let Some(rest) = read.stdout.strip_prefix(b"keyhaven:sum:".as_slice()).filter(|_| read.exit_status == Some(0))
    else {
        return Err(match read.exit_status {
            Some(94) => SshError::PermissionDenied("~/.ssh/authorized_keys cannot be read".into()),
            Some(97) => SshError::UnfollowableLink("~/.ssh/authorized_keys".into()),
            _ => restricted(&read),
        });
    };
    let split = rest.iter().position(|b| *b == b'\n').ok_or_else(|| SshError::Protocol("no checksum".into()))?;
    let sum = String::from_utf8_lossy(&rest[..split]).to_string();
    if !sum.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return Err(SshError::Protocol("the host's cksum answered something else".into()));
    }
    let Some((content, lines)) = decide(Some(&rest[split + 1..]), target)? else {
        return Ok(Removed::default());
    };
    let command = format!("KEYHAVEN_SUM={sum} KEYHAVEN_NONCE={} sh -c '{WRITE_SCRIPT}'", random_suffix());
    let output = session.exec(&command, Some(&content)).await?;
    if String::from_utf8_lossy(&output.stdout).contains("keyhaven:written") {
        return Ok(Removed { lines });
    }
    Err(match output.exit_status {
        Some(_) if String::from_utf8_lossy(&output.stderr).contains("No space left") => SshError::DiskFull,
        Some(90) => SshError::ChangedMeanwhile,
        Some(95) => SshError::PermissionDenied("~/.ssh (the new file cannot be written)".into()),
        Some(96) => SshError::PermissionDenied("~/.ssh/authorized_keys".into()),
        Some(97) => SshError::UnfollowableLink("~/.ssh/authorized_keys".into()),
        Some(98) => SshError::Busy("~/.ssh/.keyhaven-lock".into()),
        _ => restricted(&output),
    })
}

#[cfg(test)]
mod tests {
    use super::{READ_SCRIPT, WRITE_SCRIPT};

    #[test]
    fn the_scripts_can_be_single_quoted() {
        assert!(!READ_SCRIPT.contains('\'') && !WRITE_SCRIPT.contains('\''), "passed inside '...'");
    }
}
