//! Local accounts made for one test and removed after it: a shell user with a password and a real
//! home (where a deploy writes `~/.ssh/authorized_keys`), and an SFTP-only user chrooted like a
//! Hetzner Storage Box (`ForceCommand internal-sftp`, login directory `/home`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const SFTP_GROUP: &str = "khsftp";
const CHROOT_BASE: &str = "/srv/keyhaven-test";

/// The sshd_config block for SFTP-only accounts; every parent of the chroot is root-owned 0755.
pub const SFTP_ONLY_MATCH: &str = "Match Group khsftp\n  ChrootDirectory /srv/keyhaven-test/%u\n  \
    ForceCommand internal-sftp -d /home\n  AllowTcpForwarding no\n  X11Forwarding no\n";

pub struct TestAccount {
    pub name: String,
    pub password: String,
    /// The home as sshd sees it (before any chroot).
    pub home: PathBuf,
    chroot: Option<PathBuf>,
}

fn run(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().is_ok_and(|o| o.status.success())
}

/// useradd and friends take /etc/passwd's lock; tests running side by side retry.
fn retry(what: &str, mut attempt: impl FnMut() -> bool) {
    for _ in 0..50 {
        if attempt() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} kept failing");
}

fn set_password(name: &str, password: &str) {
    retry("chpasswd", || {
        let Ok(mut child) = Command::new("chpasswd").stdin(Stdio::piped()).spawn() else { return false };
        let wrote =
            child.stdin.take().is_some_and(|mut s| s.write_all(format!("{name}:{password}\n").as_bytes()).is_ok());
        wrote && child.wait().is_ok_and(|s| s.success())
    });
}

/// Unique across tests running side by side and across runs (a crashed run may leave users behind).
fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("kh{:x}x{}x{:x}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), nanos)
}

impl TestAccount {
    /// A user with `/bin/sh`, a password and a fresh home under /home.
    pub fn shell() -> TestAccount {
        let name = unique_name();
        let home = PathBuf::from(format!("/home/{name}"));
        retry("useradd", || run("useradd", &["-m", "-d", home.to_str().unwrap(), "-s", "/bin/sh", &name]));
        let password = format!("pw {name} 1");
        set_password(&name, &password);
        TestAccount { name, password, home, chroot: None }
    }

    /// A chrooted SFTP-only user: `/srv/keyhaven-test/NAME` (root, 0755) holds `home` (the user's).
    pub fn sftp_only() -> TestAccount {
        retry("groupadd", || run("getent", &["group", SFTP_GROUP]) || run("groupadd", &[SFTP_GROUP]));
        let name = unique_name();
        let chroot = PathBuf::from(format!("{CHROOT_BASE}/{name}"));
        let home = chroot.join("home");
        std::fs::create_dir_all(&home).unwrap();
        for dir in ["/srv", CHROOT_BASE, chroot.to_str().unwrap()] {
            assert!(run("chown", &["root:root", dir]) && run("chmod", &["0755", dir]));
        }
        retry("useradd", || {
            run("useradd", &["-M", "-d", home.to_str().unwrap(), "-s", "/bin/sh", "-G", SFTP_GROUP, &name])
        });
        assert!(run("chown", &[&format!("{name}:{name}"), home.to_str().unwrap()]));
        let password = format!("pw {name} 1");
        set_password(&name, &password);
        TestAccount { name, password, home, chroot: Some(chroot) }
    }

    pub fn authorized_keys(&self) -> Option<Vec<u8>> {
        std::fs::read(self.home.join(".ssh/authorized_keys")).ok()
    }

    /// Writes `content` as the user's authorized_keys (owned by them, 0600, in a 0700 `.ssh`).
    pub fn write_authorized_keys(&self, content: &[u8]) {
        let dir = self.home.join(".ssh");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("authorized_keys"), content).unwrap();
        let owner = format!("{0}:{0}", self.name);
        assert!(run("chown", &["-R", &owner, dir.to_str().unwrap()]));
        assert!(run("chmod", &["0700", dir.to_str().unwrap()]));
        assert!(run("chmod", &["0600", dir.join("authorized_keys").to_str().unwrap()]));
    }
}

impl Drop for TestAccount {
    fn drop(&mut self) {
        let _ = Command::new("pkill").args(["-KILL", "-u", &self.name]).output();
        for _ in 0..20 {
            if run("userdel", &["-r", &self.name]) || !run("id", &[&self.name]) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if let Some(chroot) = &self.chroot {
            let _ = std::fs::remove_dir_all(chroot);
        } else {
            let _ = std::fs::remove_dir_all(&self.home);
        }
    }
}
