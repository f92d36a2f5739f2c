//! OpenSSH's own tools, to check Keyhaven against: keys they make must import, keys Keyhaven makes
//! must load in them, fingerprints must agree. Keyhaven itself never runs these.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new("ssh-keygen").args(args).output().expect("ssh-keygen runs");
    assert!(out.status.success(), "ssh-keygen {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ssh-keygen -t TYPE [-b BITS] [-m FORMAT] -N PASSPHRASE -f DIR/NAME`; returns the private key path.
pub fn keygen(
    dir: &Path,
    name: &str,
    key_type: &str,
    bits: Option<u32>,
    format: Option<&str>,
    passphrase: &str,
) -> PathBuf {
    let path = dir.join(name);
    let bits_text = bits.map(|b| b.to_string());
    let mut args = vec!["-q", "-t", key_type, "-N", passphrase, "-C", "made-by-ssh-keygen", "-f"];
    let path_text = path.to_string_lossy().into_owned();
    args.push(&path_text);
    if let Some(b) = &bits_text {
        args.extend(["-b", b]);
    }
    if let Some(f) = format {
        args.extend(["-m", f]);
    }
    run(&args);
    path
}

/// The `SHA256:…` (or `MD5:…` with `hash = "md5"`) fingerprint ssh-keygen prints for a key file.
pub fn fingerprint(key_file: &Path, hash: &str) -> String {
    let out = run(&["-E", hash, "-l", "-f", &key_file.to_string_lossy()]);
    out.split_whitespace().nth(1).expect("fingerprint field").to_string()
}

/// The randomart box ssh-keygen draws for a public key file.
pub fn randomart(pub_file: &Path) -> String {
    let out = run(&["-l", "-v", "-f", &pub_file.to_string_lossy()]);
    out.lines().skip(1).collect::<Vec<_>>().join("\n")
}

/// `ssh-keygen -y -f`: the public key derived from a private key file (type and base64 only).
pub fn public_from_private(private_file: &Path) -> String {
    let out = run(&["-y", "-f", &private_file.to_string_lossy()]);
    out.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// Writes text to a file readable only by its owner, as OpenSSH requires of private keys.
pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Signs `pub_file` with the CA key `ca` and returns the certificate line.
pub fn certificate(ca: &Path, pub_file: &Path) -> String {
    run(&["-q", "-s", &ca.to_string_lossy(), "-I", "test", "-n", "backup", &pub_file.to_string_lossy()]);
    let name = pub_file.to_string_lossy().trim_end_matches(".pub").to_string();
    std::fs::read_to_string(format!("{name}-cert.pub")).unwrap()
}

/// `ssh-keygen -e -f KEY.pub`: the key as an RFC4716 `---- BEGIN SSH2 PUBLIC KEY ----` block.
pub fn export_rfc4716(pub_file: &Path) -> String {
    run(&["-e", "-f", &pub_file.to_string_lossy()])
}

/// The `SHA256:…` fingerprint ssh-keygen prints for a public key line (written to a temp file).
pub fn fingerprint_of_line(dir: &Path, line: &str) -> String {
    let file = dir.join(format!("line-{}.pub", line.len()));
    std::fs::write(&file, format!("{line}\n")).unwrap();
    fingerprint(&file, "sha256")
}
