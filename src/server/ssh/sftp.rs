//! SFTP on a verified session, with the few operations a deploy and a storage check need. Built on
//! russh-sftp's raw session because the high-level one hides `posix-rename@openssh.com`, the only
//! way to replace `authorized_keys` without a moment where it is missing or truncated.

use super::client::Session;
use super::error::SshError;
use russh_sftp::client::RawSftpSession;
use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::{FileAttributes, OpenFlags, Packet, StatusCode};
use std::collections::HashMap;
use std::time::Duration;

/// Files larger than this are not ours to rewrite (`authorized_keys` is a few KB).
const MAX_READ: usize = 4 << 20;
const CHUNK: u32 = 32 * 1024;
const POSIX_RENAME: &str = "posix-rename@openssh.com";
const FSYNC: &str = "fsync@openssh.com";

/// Sizes of the file system holding a path, in bytes, as `df` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub total: u64,
    pub used: u64,
    pub available: u64,
}

pub struct RemoteFs {
    pub(super) raw: RawSftpSession,
    extensions: HashMap<String, String>,
}

fn has(extensions: &HashMap<String, String>, name: &str) -> bool {
    extensions.contains_key(name)
}

/// Sorts an SFTP failure on `path` into what an operator can act on.
pub(super) fn classify(err: SftpError, path: &str) -> SshError {
    match err {
        SftpError::Status(status) => match status.status_code {
            StatusCode::PermissionDenied => SshError::PermissionDenied(path.to_string()),
            StatusCode::OpUnsupported => SshError::SftpUnavailable(format!("{path}: operation not supported")),
            code => SshError::Protocol(format!("SFTP {code} on {path}: {}", status.error_message)),
        },
        SftpError::Timeout => SshError::Timeout { seconds: 10 },
        other => SshError::Protocol(format!("SFTP on {path}: {other}")),
    }
}

pub(super) fn is_missing(err: &SftpError) -> bool {
    matches!(err, SftpError::Status(s) if s.status_code == StatusCode::NoSuchFile)
}

/// 64 random bits in hex: temporary names that two edits at once never share.
pub fn random_suffix() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// An SSH string: length then bytes, as extension requests encode their arguments.
fn ssh_string(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

impl RemoteFs {
    /// Starts the `sftp` subsystem. A host without one (or a shell-only account) is `SftpUnavailable`.
    pub async fn open(session: &Session) -> Result<RemoteFs, SshError> {
        let unavailable = |detail: String| SshError::SftpUnavailable(detail);
        let start = async {
            let channel = session.handle.channel_open_session().await.map_err(|e| unavailable(e.to_string()))?;
            channel.request_subsystem(true, "sftp").await.map_err(|e| unavailable(e.to_string()))?;
            let raw = RawSftpSession::new(channel.into_stream());
            raw.set_timeout(session.timeouts.command.as_secs().max(1));
            let version = raw.init().await.map_err(|e| unavailable(e.to_string()))?;
            Ok::<_, SshError>(RemoteFs { raw, extensions: version.extensions })
        };
        match tokio::time::timeout(session.timeouts.command, start).await {
            Err(_) => Err(unavailable("the SFTP subsystem did not answer".into())),
            Ok(result) => result,
        }
    }

    /// The directory the login lands in (`~`), absolute.
    pub async fn home(&self) -> Result<String, SshError> {
        let name = self.raw.realpath(".").await.map_err(|e| classify(e, "~"))?;
        name.files
            .into_iter()
            .next()
            .map(|f| f.filename)
            .ok_or_else(|| SshError::Protocol("realpath gave no name".into()))
    }

    /// Permission bits of `path`, or None when it does not exist.
    pub async fn mode(&self, path: &str) -> Result<Option<u32>, SshError> {
        match self.raw.stat(path).await {
            Ok(attrs) => Ok(Some(attrs.attrs.permissions.unwrap_or(0) & 0o7777)),
            Err(err) if is_missing(&err) => Ok(None),
            Err(err) => Err(classify(err, path)),
        }
    }

    /// Where `path` really is: itself, or the file a symbolic link at `path` points to, so that an
    /// edit replaces the target and keeps the link. A link that cannot be resolved is refused.
    pub async fn resolve_link(&self, path: &str) -> Result<String, SshError> {
        const KIND: u32 = 0o170000;
        const LINK: u32 = 0o120000;
        match self.raw.lstat(path).await {
            Ok(attrs) if attrs.attrs.permissions.unwrap_or(0) & KIND == LINK => {
                let target = self.raw.realpath(path).await.map_err(|_| SshError::UnfollowableLink(path.into()))?;
                target
                    .files
                    .into_iter()
                    .next()
                    .map(|f| f.filename)
                    .ok_or_else(|| SshError::UnfollowableLink(path.into()))
            }
            Ok(_) => Ok(path.to_string()),
            Err(err) if is_missing(&err) => Ok(path.to_string()),
            Err(err) => Err(classify(err, path)),
        }
    }

    pub async fn mkdir(&self, path: &str, mode: u32) -> Result<(), SshError> {
        let attrs = FileAttributes { permissions: Some(mode), ..FileAttributes::empty() };
        self.raw.mkdir(path, attrs).await.map(|_| ()).map_err(|e| classify(e, path))
    }

    /// The whole file, or None when it does not exist.
    pub async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SshError> {
        let handle = match self.raw.open(path, OpenFlags::READ, FileAttributes::empty()).await {
            Ok(h) => h.handle,
            Err(err) if is_missing(&err) => return Ok(None),
            Err(err) => return Err(classify(err, path)),
        };
        let mut content = Vec::new();
        let outcome = loop {
            match self.raw.read(handle.as_str(), content.len() as u64, CHUNK).await {
                Ok(data) if data.data.is_empty() => break Ok(()),
                Ok(data) if content.len() + data.data.len() > MAX_READ => {
                    break Err(SshError::Protocol(format!("{path} is larger than {} MB", MAX_READ >> 20)));
                }
                Ok(data) => content.extend_from_slice(&data.data),
                Err(SftpError::Status(s)) if s.status_code == StatusCode::Eof => break Ok(()),
                Err(err) => break Err(classify(err, path)),
            }
        };
        let _ = self.raw.close(handle).await;
        outcome.map(|()| Some(content))
    }

    /// Creates `path` (which must not exist) with `mode` and writes `data`, flushed to disk where
    /// the server can (`fsync@openssh.com`).
    pub async fn write_new(&self, path: &str, data: &[u8], mode: u32) -> Result<(), SshError> {
        let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUDE;
        let attrs = FileAttributes { permissions: Some(mode), ..FileAttributes::empty() };
        let handle = self.raw.open(path, flags, attrs).await.map_err(|e| classify(e, path))?.handle;
        let mut written = Ok(());
        for (index, chunk) in data.chunks(CHUNK as usize).enumerate() {
            let offset = (index * CHUNK as usize) as u64;
            if let Err(err) = self.raw.write(handle.as_str(), offset, chunk.to_vec()).await {
                written = Err(classify(err, path));
                break;
            }
        }
        if written.is_ok() && has(&self.extensions, FSYNC) {
            written = self.raw.fsync(handle.as_str()).await.map(|_| ()).map_err(|e| classify(e, path));
        }
        let closed = self.raw.close(handle).await.map(|_| ()).map_err(|e| classify(e, path));
        written.and(closed)
    }

    /// Replaces `target` with `source` in one step. Without `posix-rename@openssh.com` (plain SFTP
    /// rename refuses an existing target) the old file is moved aside first and removed last, so
    /// at every moment one complete file exists.
    pub async fn replace(&self, source: &str, target: &str) -> Result<(), SshError> {
        if has(&self.extensions, POSIX_RENAME) {
            let mut data = Vec::new();
            ssh_string(&mut data, source);
            ssh_string(&mut data, target);
            return match self.raw.extended(POSIX_RENAME, data).await {
                Ok(Packet::Status(s)) if s.status_code == StatusCode::Ok => Ok(()),
                Ok(Packet::Status(s)) => Err(classify(SftpError::Status(s), target)),
                Ok(_) => Err(SshError::Protocol("unexpected answer to posix-rename".into())),
                Err(err) => Err(classify(err, target)),
            };
        }
        let aside = format!("{target}.keyhaven-old-{}", random_suffix());
        let moved_aside = match self.raw.rename(target, aside.as_str()).await {
            Ok(_) => true,
            Err(err) if is_missing(&err) => false,
            Err(err) => return Err(classify(err, target)),
        };
        if let Err(err) = self.raw.rename(source, target).await {
            // Put the old file back: never leave the host without one.
            if moved_aside && self.raw.rename(aside.as_str(), target).await.is_err() {
                return Err(SshError::Protocol(format!(
                    "{target} could not be replaced and the old file could not be moved back from {aside}: \
                     rename it back on the host"
                )));
            }
            return Err(classify(err, target));
        }
        if moved_aside {
            let _ = self.raw.remove(aside).await;
        }
        Ok(())
    }

    /// Takes the lock directory `path` (mkdir is atomic on every server), waiting up to `wait` for
    /// another editor to let go. A lock older than `stale` is a crashed editor's and is broken.
    pub async fn lock_dir(&self, path: &str, wait: Duration, stale: Duration) -> Result<(), SshError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut broke_stale = false;
        let mut vanished = false;
        loop {
            let attrs = FileAttributes { permissions: Some(0o700), ..FileAttributes::empty() };
            let Err(refused) = self.raw.mkdir(path, attrs).await else { return Ok(()) };
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
            match self.raw.lstat(path).await {
                Ok(found)
                    if !broke_stale
                        && now.saturating_sub(u64::from(found.attrs.mtime.unwrap_or(0))) > stale.as_secs() =>
                {
                    broke_stale = true;
                    let _ = self.raw.rmdir(path).await;
                    continue;
                }
                Ok(_) => vanished = false,
                // The other editor let go between our mkdir and the look: try again at once.
                Err(_) if !vanished => {
                    vanished = true;
                    continue;
                }
                // Twice no lock there, so the mkdir itself fails (an unwritable ~/.ssh): that is the
                // answer.
                Err(_) => return Err(classify(refused, path)),
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(SshError::Busy(path.to_string()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn unlock_dir(&self, path: &str) {
        let _ = self.raw.rmdir(path).await;
    }

    pub async fn remove(&self, path: &str) -> Result<(), SshError> {
        self.raw.remove(path).await.map(|_| ()).map_err(|e| classify(e, path))
    }

    /// File system usage under `path` (`statvfs@openssh.com`); None when the server lacks it.
    pub async fn usage(&self, path: &str) -> Result<Option<Usage>, SshError> {
        if !has(&self.extensions, "statvfs@openssh.com") {
            return Ok(None);
        }
        let stat = self.raw.statvfs(path).await.map_err(|e| classify(e, path))?;
        let unit = stat.fragment_size.max(1);
        let total = stat.blocks.saturating_mul(unit);
        let used = stat.blocks.saturating_sub(stat.blocks_free).saturating_mul(unit);
        Ok(Some(Usage { total, used, available: stat.blocks_avail.saturating_mul(unit) }))
    }

    pub async fn close(self) {
        let _ = self.raw.close_session();
    }
}
