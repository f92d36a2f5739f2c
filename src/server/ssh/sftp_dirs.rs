//! Directory listings over SFTP for the remote path picker: one `readdir` stream per directory,
//! and the checks for borg repositories sent together on the same session (SFTP requests are
//! pipelined), so a directory of thousands of entries costs a few round trips, not one per entry.

use super::error::SshError;
use super::sftp::{RemoteFs, classify, is_missing};
use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::{FileAttributes, StatusCode};

/// Requests in flight at once when checking many directories.
const IN_FLIGHT: usize = 64;
/// The most entries one listing returns; a larger directory is cut here and says so.
pub const MAX_ENTRIES: usize = 20_000;

/// One entry of a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    /// Seconds since the epoch.
    pub mtime: Option<u32>,
    /// `st_mode`, file type bits included.
    pub mode: u32,
}

/// What is at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    Directory,
    Other,
}

fn entry(name: String, attrs: &FileAttributes) -> DirEntry {
    DirEntry {
        name,
        is_dir: attrs.is_dir(),
        size: attrs.size.unwrap_or(0),
        mtime: attrs.mtime,
        mode: attrs.permissions.unwrap_or(0),
    }
}

impl RemoteFs {
    /// The entries of `dir` (without `.` and `..`), at most `MAX_ENTRIES`; true when cut there.
    /// A symbolic link is listed as what it points to, as `ls -L` would.
    pub async fn list(&self, dir: &str) -> Result<(Vec<DirEntry>, bool), SshError> {
        let handle = self.raw.opendir(dir).await.map_err(|e| classify(e, dir))?.handle;
        let mut entries = Vec::new();
        let mut links = Vec::new();
        let outcome = loop {
            match self.raw.readdir(handle.as_str()).await {
                Ok(name) => {
                    for file in name.files {
                        if file.filename == "." || file.filename == ".." {
                            continue;
                        }
                        if file.attrs.is_symlink() {
                            links.push(file.filename);
                        } else {
                            entries.push(entry(file.filename, &file.attrs));
                        }
                    }
                    if entries.len() + links.len() >= MAX_ENTRIES {
                        break Ok(true);
                    }
                }
                Err(SftpError::Status(status)) if status.status_code == StatusCode::Eof => break Ok(false),
                Err(err) => break Err(classify(err, dir)),
            }
        };
        let _ = self.raw.close(handle).await;
        let cut = outcome?;
        let base = dir.trim_end_matches('/');
        let targets = self.stats(links.iter().map(|name| format!("{base}/{name}")).collect()).await;
        for (name, target) in links.into_iter().zip(targets) {
            // A dangling link is still an entry; it is not a directory.
            let attrs = target.map(|a| a.attrs).unwrap_or_else(|_| FileAttributes::empty());
            entries.push(entry(name, &attrs));
        }
        entries.truncate(MAX_ENTRIES);
        Ok((entries, cut))
    }

    /// Whether each directory holds a borg repository (a `config` file and a `data` directory),
    /// checked with pipelined `stat`s.
    pub async fn borg_repos(&self, dirs: &[String]) -> Vec<bool> {
        let configs = self.stats(dirs.iter().map(|d| format!("{}/config", d.trim_end_matches('/'))).collect()).await;
        let with_config: Vec<String> = dirs
            .iter()
            .zip(&configs)
            .filter(|(_, c)| c.as_ref().is_ok_and(|a| a.attrs.is_regular()))
            .map(|(d, _)| d.clone())
            .collect();
        let datas = self.stats(with_config.iter().map(|d| format!("{}/data", d.trim_end_matches('/'))).collect()).await;
        let repos: std::collections::HashSet<&String> = with_config
            .iter()
            .zip(&datas)
            .filter(|(_, d)| d.as_ref().is_ok_and(|a| a.attrs.is_dir()))
            .map(|(d, _)| d)
            .collect();
        dirs.iter().map(|d| repos.contains(d)).collect()
    }

    /// What is at `path`.
    pub async fn kind(&self, path: &str) -> Result<PathKind, SshError> {
        match self.raw.stat(path).await {
            Ok(attrs) if attrs.attrs.is_dir() => Ok(PathKind::Directory),
            Ok(_) => Ok(PathKind::Other),
            Err(err) if is_missing(&err) => Ok(PathKind::Missing),
            Err(err) => Err(classify(err, path)),
        }
    }

    /// `stat` of each path, `IN_FLIGHT` requests at a time on the one session, in order.
    async fn stats(&self, paths: Vec<String>) -> Vec<Result<russh_sftp::protocol::Attrs, SftpError>> {
        use futures::StreamExt;
        futures::stream::iter(paths.into_iter().map(|p| self.raw.stat(p))).buffered(IN_FLIGHT).collect().await
    }
}
