//! A user's `~/.ssh/authorized_keys` on a session that is already logged in, reached the way the
//! connection is set: over SFTP (one subsystem opened for all the work of this login) or through
//! the shell's fixed scripts. The inventory's read and Remove, and each step of a key rotation,
//! go through here instead of choosing the way in themselves.

use super::client::Session;
use super::error::SshError;
use super::install_key::{self, Installed};
use super::read_authorized::{self, Found};
use super::remove_key::{self, Removed, Target};
use super::sftp::RemoteFs;

pub struct AuthorizedFile<'a> {
    session: &'a Session,
    /// Some in SFTP mode.
    fs: Option<RemoteFs>,
}

impl<'a> AuthorizedFile<'a> {
    /// Opens the SFTP subsystem when `sftp`; through the shell nothing is opened. A failure on the
    /// way may skip `close`: the caller closes the session right after, which ends the subsystem.
    pub async fn open(session: &'a Session, sftp: bool) -> Result<AuthorizedFile<'a>, SshError> {
        let fs = if sftp { Some(RemoteFs::open(session).await?) } else { None };
        Ok(AuthorizedFile { session, fs })
    }

    /// The file as it is (read only).
    pub async fn read(&self) -> Result<Found, SshError> {
        match &self.fs {
            Some(fs) => read_authorized::over_sftp(fs).await,
            None => read_authorized::over_shell(self.session).await,
        }
    }

    /// Appends `key_line` unless the key is there (see `install_key`).
    pub async fn add(&self, key_line: &str) -> Result<Installed, SshError> {
        match &self.fs {
            Some(fs) => install_key::over_sftp(fs, key_line).await,
            None => install_key::over_shell(self.session, key_line).await,
        }
    }

    /// Removes a key's plain lines or one exact line (see `remove_key`).
    pub async fn remove(&self, target: Target<'_>) -> Result<Removed, SshError> {
        match &self.fs {
            Some(fs) => remove_key::over_sftp(fs, target).await,
            None => remove_key::over_shell(self.session, target).await,
        }
    }

    pub async fn close(self) {
        if let Some(fs) = self.fs {
            fs.close().await;
        }
    }
}
