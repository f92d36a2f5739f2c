//! Editing a user's `authorized_keys` the way sshd reads it, without understanding more of it than
//! needed: a key is present when some line carries its base64 blob; every other byte stays as it was.

/// What adding a key to a file comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Merge {
    /// A line already carries the key; nothing is to be written.
    AlreadyPresent,
    /// The new content: the old bytes, a newline if the last line lacked one, the key line.
    Updated(Vec<u8>),
}

/// The base64 blob of a `type base64 [comment]` line.
pub fn key_blob(key_line: &str) -> Option<&str> {
    key_line.split_whitespace().nth(1).filter(|blob| blob.len() >= 16)
}

/// Whether any line of `content` carries `blob` as one of its words (options may precede the key).
pub fn contains_blob(content: &[u8], blob: &str) -> bool {
    content
        .split(|b| *b == b'\n')
        .any(|line| line.split(|b| b.is_ascii_whitespace()).any(|word| word == blob.as_bytes()))
}

/// Adds `key_line` to `existing` (None when the file does not exist).
pub fn merge(existing: Option<&[u8]>, key_line: &str) -> Merge {
    let existing = existing.unwrap_or_default();
    if key_blob(key_line).is_some_and(|blob| contains_blob(existing, blob)) {
        return Merge::AlreadyPresent;
    }
    let mut content = Vec::with_capacity(existing.len() + key_line.len() + 2);
    content.extend_from_slice(existing);
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        content.push(b'\n');
    }
    content.extend_from_slice(key_line.trim_end().as_bytes());
    content.push(b'\n');
    Merge::Updated(content)
}

/// Whether permission bits let group or others write: sshd's StrictModes then ignores the keys.
pub fn loosely_writable(mode: u32) -> bool {
    mode & 0o022 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxWl5ohgZ0zh6J0gxBqAjuGIzRzaJ9MFgYpXDNTyXFU keyhaven";

    #[test]
    fn a_missing_or_empty_file_gets_just_the_key() {
        let expected = format!("{KEY}\n").into_bytes();
        assert_eq!(merge(None, KEY), Merge::Updated(expected.clone()));
        assert_eq!(merge(Some(b""), KEY), Merge::Updated(expected));
    }

    #[test]
    fn other_lines_survive_byte_for_byte_and_a_missing_newline_is_added() {
        let old = b"# comment \xff\r\nrestrict,command=\"borg serve\" ssh-rsa AAAAB3Nza other\n\nfrom=\"10.0.0.1\" x y";
        let Merge::Updated(new) = merge(Some(old), KEY) else { panic!("expected an update") };
        assert!(new.starts_with(old));
        assert_eq!(&new[old.len()..], format!("\n{KEY}\n").as_bytes());
        let with_newline = b"ssh-rsa AAAAB3Nza other\n";
        let Merge::Updated(new) = merge(Some(with_newline), KEY) else { panic!("expected an update") };
        assert_eq!(&new[with_newline.len()..], format!("{KEY}\n").as_bytes());
    }

    #[test]
    fn a_key_already_present_with_options_or_another_comment_is_not_added_again() {
        let blob = key_blob(KEY).unwrap();
        for line in [format!("ssh-ed25519 {blob}"), format!("restrict,command=\"x\" ssh-ed25519 {blob} old comment")] {
            assert_eq!(merge(Some(format!("ssh-rsa AAAA z\n{line}\n").as_bytes()), KEY), Merge::AlreadyPresent);
        }
        let prefix_only = format!("ssh-ed25519 {}\n", &blob[..blob.len() - 1]);
        assert!(matches!(merge(Some(prefix_only.as_bytes()), KEY), Merge::Updated(_)));
    }

    #[test]
    fn group_or_world_writable_modes_are_loose() {
        assert!(!loosely_writable(0o755));
        assert!(!loosely_writable(0o700));
        assert!(loosely_writable(0o775));
        assert!(loosely_writable(0o757));
    }
}
