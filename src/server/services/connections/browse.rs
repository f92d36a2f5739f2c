//! Remote paths of a connection, over SFTP (Borg UI's `/api/filesystem/*` for SSH connections and
//! the Browse dialog): list a directory (directories first), check a path, create a folder. Paths
//! are SFTP paths as the account sees them (inside a chroot on a Storage Box); `ssh_path_prefix`,
//! which is for shell commands on a Synology, is never applied. A path is normalised before it is
//! sent (`..` resolved, never above `/`); what the account may see is the server's to decide.

use super::login::{Opened, open_connection};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::remote::{SshGate, ssh_failure};
use crate::server::ssh::sftp::RemoteFs;
use crate::server::ssh::sftp_dirs::{DirEntry, PathKind};
use sea_orm::DatabaseConnection;

const MAX_PATH: usize = 4096;

/// One entry of a listing, with what Borg UI's picker shows.
#[derive(Debug)]
pub struct BrowseItem {
    pub name: String,
    pub path: String,
    pub is_directory: bool,
    pub size: u64,
    pub modified: Option<String>,
    pub is_borg_repo: bool,
    /// As `ls -l` shows it: `drwxr-xr-x`.
    pub permissions: String,
}

#[derive(Debug)]
pub struct Listing {
    pub current_path: String,
    pub parent_path: Option<String>,
    pub items: Vec<BrowseItem>,
    /// The directory had more entries than one listing returns.
    pub truncated: bool,
}

#[derive(Debug)]
pub struct PathCheck {
    pub path: String,
    pub exists: bool,
    pub is_directory: bool,
    pub is_borg_repo: bool,
}

/// The saved connection Borg UI's picker means by key, host, user and port (its requests name no
/// connection id). Not found: add the connection first.
pub async fn find_connection(
    db: &DatabaseConnection,
    ssh_key_id: Option<i32>,
    host: &str,
    username: &str,
    port: i64,
) -> Result<i32, ServiceError> {
    use crate::server::entities::ssh_connection::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let host = crate::server::services::hosts::validate_host(host)?;
    let username = super::store::validate_username(username)?;
    let port = crate::server::services::hosts::validate_port(port)?;
    let mut query = Entity::find()
        .filter(Column::Host.eq(host))
        .filter(Column::Username.eq(username))
        .filter(Column::Port.eq(i32::from(port)));
    if let Some(key) = ssh_key_id {
        query = query.filter(Column::SshKeyId.eq(key));
    }
    query
        .order_by_asc(Column::Id)
        .one(db)
        .await?
        .map(|c| c.id)
        .ok_or_else(|| ServiceError::NotFound("No saved connection for this host and user; add it first.".into()))
}

/// `raw` made absolute against `base` and normalised; control characters are refused.
pub fn normalise(raw: &str, base: &str) -> Result<String, ServiceError> {
    if raw.len() > MAX_PATH || raw.chars().any(char::is_control) {
        return Err(ServiceError::invalid("path", "The path must be one line of at most 4096 characters."));
    }
    let joined = if raw.starts_with('/') { raw.to_string() } else { format!("{base}/{raw}") };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

pub(super) fn parent_of(path: &str) -> Option<String> {
    (path != "/").then(|| match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    })
}

fn child(dir: &str, name: &str) -> String {
    if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") }
}

/// `drwxr-xr-x` from `st_mode`.
fn mode_string(mode: u32, is_dir: bool) -> String {
    let kind = if is_dir {
        'd'
    } else if mode & 0o170000 == 0o120000 {
        'l'
    } else {
        '-'
    };
    let bits = ['r', 'w', 'x'];
    let rest: String = (0..9).map(|i| if mode & (0o400 >> i) != 0 { bits[i % 3] } else { '-' }).collect();
    format!("{kind}{rest}")
}

fn modified(mtime: Option<u32>) -> Option<String> {
    mtime.and_then(|t| chrono::DateTime::from_timestamp(i64::from(t), 0)).map(|t| crate::server::services::rfc3339(&t))
}

/// Opens SFTP on connection `id`; `start` is where an empty path or `/` leads (the connection's
/// `default_path`, else the login directory).
pub(super) async fn open_fs(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
) -> Result<(Opened, RemoteFs, String, Option<String>), ServiceError> {
    let opened = open_connection(db, gate, master, id).await?;
    let fs = RemoteFs::open(&opened.session).await.map_err(|e| ssh_failure("session", e))?;
    let home = fs.home().await.map_err(|e| ssh_failure("session", e))?;
    let default_path = opened.connection.default_path.clone();
    Ok((opened, fs, home, default_path))
}

pub(super) async fn close(opened: Opened, fs: RemoteFs) {
    fs.close().await;
    opened.session.close().await;
}

/// Lists `path` (empty or `/`: the connection's starting directory), directories first, by name.
pub async fn browse(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    path: &str,
) -> Result<Listing, ServiceError> {
    let (opened, fs, home, default_path) = open_fs(db, gate, master, id).await?;
    let wanted = match path.trim() {
        "" | "/" => default_path.unwrap_or_else(|| home.clone()),
        other => other.to_string(),
    };
    let result = list(&fs, &normalise(&wanted, &home)?).await;
    close(opened, fs).await;
    result
}

pub(super) async fn list(fs: &RemoteFs, dir: &str) -> Result<Listing, ServiceError> {
    match fs.kind(dir).await.map_err(|e| ssh_failure("session", e))? {
        PathKind::Directory => {}
        PathKind::Missing => return Err(ServiceError::invalid("path", format!("{dir} does not exist."))),
        PathKind::Other => return Err(ServiceError::invalid("path", format!("{dir} is not a directory."))),
    }
    let (mut entries, truncated) = fs.list(dir).await.map_err(|e| ssh_failure("session", e))?;
    entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.cmp(&b.name)));
    let dirs: Vec<String> = entries.iter().filter(|e| e.is_dir).map(|e| child(dir, &e.name)).collect();
    let repos = fs.borg_repos(&dirs).await;
    let mut repo_flags = repos.into_iter();
    let items = entries
        .into_iter()
        .map(|DirEntry { name, is_dir, size, mtime, mode }| BrowseItem {
            path: child(dir, &name),
            is_borg_repo: is_dir && repo_flags.next().unwrap_or(false),
            permissions: mode_string(mode, is_dir),
            modified: modified(mtime),
            name,
            is_directory: is_dir,
            size,
        })
        .collect();
    Ok(Listing { current_path: dir.to_string(), parent_path: parent_of(dir), items, truncated })
}

/// Whether `path` exists, is a directory, holds a borg repository.
pub async fn check_path(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    path: &str,
) -> Result<PathCheck, ServiceError> {
    if path.trim().is_empty() {
        return Err(ServiceError::invalid("path", "Give the path to check."));
    }
    let (opened, fs, home, _) = open_fs(db, gate, master, id).await?;
    let checked = async {
        let path = normalise(path.trim(), &home)?;
        let kind = fs.kind(&path).await.map_err(|e| ssh_failure("session", e))?;
        let is_directory = kind == PathKind::Directory;
        let is_borg_repo = is_directory && fs.borg_repos(std::slice::from_ref(&path)).await.first() == Some(&true);
        Ok(PathCheck { exists: kind != PathKind::Missing, is_directory, is_borg_repo, path })
    }
    .await;
    close(opened, fs).await;
    checked
}

/// Creates `folder_name` inside `path` (mode 0755); an existing folder is a conflict.
pub async fn create_folder(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    path: &str,
    folder_name: &str,
) -> Result<String, ServiceError> {
    let name = folder_name.trim();
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.chars().any(char::is_control) {
        return Err(ServiceError::invalid("folder_name", "The folder name must be one name, without '/'."));
    }
    if name.len() > 255 {
        return Err(ServiceError::invalid("folder_name", "The folder name must be at most 255 bytes."));
    }
    let (opened, fs, home, default_path) = open_fs(db, gate, master, id).await?;
    let made = async {
        let parent = match path.trim() {
            "" => default_path.unwrap_or_else(|| home.clone()),
            other => other.to_string(),
        };
        let target = child(&normalise(&parent, &home)?, name);
        if fs.kind(&target).await.map_err(|e| ssh_failure("session", e))? != PathKind::Missing {
            return Err(ServiceError::conflict("folder_name", format!("{target} already exists.")));
        }
        fs.mkdir(&target, 0o755).await.map_err(|e| ssh_failure("session", e))?;
        Ok(target)
    }
    .await;
    close(opened, fs).await;
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_never_climb_above_the_root() {
        assert_eq!(normalise("backups/../srv/./borg/", "/home/u").unwrap(), "/home/u/srv/borg");
        assert_eq!(normalise("/../../etc", "/home/u").unwrap(), "/etc");
        assert_eq!(normalise("../../../..", "/home/u").unwrap(), "/");
        assert_eq!(normalise("/a b/Ünïcode", "/").unwrap(), "/a b/Ünïcode");
        assert!(normalise("/a\nb", "/").is_err());
        assert_eq!(parent_of("/"), None);
        assert_eq!(parent_of("/srv").as_deref(), Some("/"));
        assert_eq!(parent_of("/srv/borg").as_deref(), Some("/srv"));
        assert_eq!(mode_string(0o040755, true), "drwxr-xr-x");
        assert_eq!(mode_string(0o100600, false), "-rw-------");
    }
}
