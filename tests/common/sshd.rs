//! A real OpenSSH sshd on a loopback port, started per test with its own host keys, config and pid
//! file, and stopped by that pid when the test ends. Needs root and Debian's openssh-server (the
//! test command installs it); with `CI=true` their absence fails instead of skipping.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";
/// A local account with a shell and a password, shared by every test sshd (each keeps its own
/// authorized keys, so tests running side by side never see each other's keys).
pub const TEST_USER: &str = "khtest";
pub const TEST_PASSWORD: &str = "khtest pass 1";

/// Creates the account once; concurrent tests may race on /etc/passwd's lock, so retry.
fn ensure_user(name: &str, password: &str) {
    for _ in 0..20 {
        if Command::new("id").arg(name).output().is_ok_and(|o| o.status.success()) {
            let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().unwrap();
            use std::io::Write;
            chpasswd.stdin.take().unwrap().write_all(format!("{name}:{password}\n").as_bytes()).unwrap();
            let _ = chpasswd.wait();
            return;
        }
        let _ = Command::new("useradd").args(["-m", "-s", "/bin/sh", name]).output();
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("could not create the test user {name}");
}

pub struct TestSshd {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl TestSshd {
    /// Starts sshd, or returns None (skipped) outside CI when this machine cannot run one.
    pub fn start() -> Option<TestSshd> {
        Self::start_with(None, &["127.0.0.1"], "")
    }

    /// Starts sshd on `port` (a free one if None) at `addresses` (at most 16: sshd's limit) with
    /// `extra` config lines (before the SFTP-only `Match` block).
    pub fn start_with(port: Option<u16>, addresses: &[&str], extra: &str) -> Option<TestSshd> {
        if !Path::new(SSHD).exists() || !is_root() {
            let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!in_ci, "CI=true needs root and {SSHD}: the test command installs openssh-server");
            eprintln!("note: no sshd (or not root); sshd tests skipped");
            return None;
        }
        std::fs::create_dir_all("/run/sshd").unwrap();
        let dir = tempfile::tempdir().unwrap();
        for key_type in ["ed25519", "ecdsa", "rsa"] {
            let file = dir.path().join(format!("ssh_host_{key_type}_key"));
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", key_type, "-N", "", "-C", "test-host", "-f"])
                .arg(&file)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let port = port.unwrap_or_else(free_port);
        let d = dir.path().display();
        let listen: String = addresses.iter().map(|a| format!("ListenAddress {a}\n")).collect();
        let config = format!(
            "Port {port}\n{listen}{extra}HostKey {d}/ssh_host_ed25519_key\nHostKey {d}/ssh_host_ecdsa_key\n\
             HostKey {d}/ssh_host_rsa_key\nPidFile {d}/sshd.pid\nUsePAM no\nPasswordAuthentication yes\n\
             KbdInteractiveAuthentication no\nStrictModes no\nAuthorizedKeysFile {d}/authorized_keys/%u .ssh/authorized_keys\n\
             Subsystem sftp internal-sftp\n{}",
            super::accounts::SFTP_ONLY_MATCH
        );
        std::fs::write(dir.path().join("sshd_config"), config).unwrap();
        std::fs::create_dir(dir.path().join("authorized_keys")).unwrap();
        ensure_user(TEST_USER, TEST_PASSWORD);
        let child = Command::new(SSHD)
            .args(["-D", "-f"])
            .arg(dir.path().join("sshd_config"))
            .arg("-E")
            .arg(dir.path().join("sshd.log"))
            .stdin(Stdio::null())
            .spawn()
            .expect("sshd starts");
        let sshd = TestSshd { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((addresses[0], port)).is_err() {
            assert!(Instant::now() < deadline, "sshd did not listen: {}", sshd.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(sshd)
    }

    /// The process id of the listening sshd (its connections are its children).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The `type base64` lines of this server's host keys.
    pub fn host_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = ["ed25519", "ecdsa", "rsa"]
            .iter()
            .map(|t| {
                let text = std::fs::read_to_string(self.path(&format!("ssh_host_{t}_key.pub"))).unwrap();
                text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
            })
            .collect();
        keys.sort();
        keys
    }

    /// Lets `line` (a `.pub` line, options allowed) log in as `user` on this server only.
    pub fn authorize(&self, user: &str, line: &str) {
        std::fs::write(self.path("authorized_keys").join(user), format!("{line}\n")).unwrap();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }
}

impl Drop for TestSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
