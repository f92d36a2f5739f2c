//! `keyhaven.lock` in the data dir: a running server holds it for its lifetime, and commands that
//! must not run beside a server (`master-key rotate`) refuse while it is held.
//!
//! Rotating the master key while a server runs would leave the server sealing new keys with the
//! old master key after the database moved to the new one: keys created afterwards would be
//! unreadable. An OS file lock is released by the kernel when the process ends, so a crash never
//! leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Held while alive; the lock ends when this is dropped or the process exits.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

pub const LOCK_FILE: &str = "keyhaven.lock";

/// Takes the data dir's lock for `purpose`, or says who has it.
pub fn hold(data_dir: &Path, purpose: &str) -> Result<DataLock, String> {
    let path = data_dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(DataLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(format!(
            "another Keyhaven process (a running server?) holds {}; stop it before {purpose}",
            path.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = hold(dir.path(), "serving").unwrap();
        let refused = hold(dir.path(), "rotating the master key").unwrap_err();
        assert!(refused.contains("stop it before rotating the master key"), "{refused}");
        drop(first);
        assert!(hold(dir.path(), "rotating the master key").is_ok());
    }
}
