//! Editing a user's `authorized_keys` the way sshd reads it, without understanding more of it than
//! needed: a key is present when an active line carries its base64 blob; every other byte stays as
//! it was, and the only change ever made is one line appended at the end.

/// What adding a key to a file comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Merge {
    /// An active line without options already carries the key; nothing is to be written.
    AlreadyPresent,
    /// An active line carries the key behind options (`from=`, `restrict`, `command=`, …). That line
    /// is an administrator's decision: it is left alone and nothing is added (another line would
    /// widen what they restricted). Holds the options, for the explanation.
    PresentWithOptions(String),
    /// The new content: the old bytes, a newline if the last line lacked one, the key line.
    /// `was_commented` tells that a commented-out line held the key (it stays, as a comment).
    Updated { content: Vec<u8>, was_commented: bool },
}

/// The base64 blob of a `type base64 [comment]` line.
pub fn key_blob(key_line: &str) -> Option<&str> {
    key_line.split_whitespace().nth(1).filter(|blob| blob.len() >= 16)
}

/// How a line of the file relates to a key.
#[derive(Debug, PartialEq, Eq)]
enum LineHolds {
    Nothing,
    Commented,
    /// Active, with these options before the key type (empty when there are none).
    Active(String),
}

fn is_key_type(word: &[u8]) -> bool {
    word.starts_with(b"ssh-") || word.starts_with(b"ecdsa-") || word.starts_with(b"sk-")
}

fn classify(line: &[u8], blob: &[u8]) -> LineHolds {
    let words: Vec<&[u8]> = line.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect();
    let Some(position) = words.iter().position(|w| *w == blob) else { return LineHolds::Nothing };
    if line.trim_ascii_start().starts_with(b"#") {
        return LineHolds::Commented;
    }
    // The word before the blob is the key type; everything before that is options.
    let options_end = position.saturating_sub(1);
    if position == 0 || !is_key_type(words[options_end]) {
        return LineHolds::Commented;
    }
    let options = words[..options_end].iter().map(|w| String::from_utf8_lossy(w)).collect::<Vec<_>>().join(" ");
    LineHolds::Active(options)
}

/// Whether any active line of `content` carries `blob` (options may precede the key).
pub fn contains_blob(content: &[u8], blob: &str) -> bool {
    content.split(|b| *b == b'\n').any(|line| matches!(classify(line, blob.as_bytes()), LineHolds::Active(_)))
}

/// Adds `key_line` to `existing` (None when the file does not exist).
pub fn merge(existing: Option<&[u8]>, key_line: &str) -> Merge {
    let existing = existing.unwrap_or_default();
    let mut was_commented = false;
    if let Some(blob) = key_blob(key_line) {
        let mut restricted = None;
        for line in existing.split(|b| *b == b'\n') {
            match classify(line, blob.as_bytes()) {
                LineHolds::Active(options) if options.is_empty() => return Merge::AlreadyPresent,
                LineHolds::Active(options) => restricted = restricted.or(Some(options)),
                LineHolds::Commented => was_commented = true,
                LineHolds::Nothing => {}
            }
        }
        if let Some(options) = restricted {
            return Merge::PresentWithOptions(options.chars().take(200).collect());
        }
    }
    let mut content = Vec::with_capacity(existing.len() + key_line.len() + 2);
    content.extend_from_slice(existing);
    if !existing.is_empty() && !existing.ends_with(b"\n") {
        content.push(b'\n');
    }
    content.extend_from_slice(key_line.trim_end().as_bytes());
    content.push(b'\n');
    Merge::Updated { content, was_commented }
}

/// The active lines carrying `blob`: how many are plain, and the options of the first one behind
/// options (a rotation leaves such a host to an administrator).
pub fn lines_of(content: &[u8], blob: &str) -> (usize, Option<String>) {
    let mut plain = 0;
    let mut restricted = None;
    for line in content.split(|b| *b == b'\n') {
        match classify(line, blob.as_bytes()) {
            LineHolds::Active(options) if options.is_empty() => plain += 1,
            LineHolds::Active(options) => restricted = restricted.or(Some(options.chars().take(200).collect())),
            _ => {}
        }
    }
    (plain, restricted)
}

/// What removing a key from a file comes to (key rotation's last step on a host).
#[derive(Debug, PartialEq, Eq)]
pub enum Removal {
    /// No active line carries the key: nothing is to be written.
    NotPresent,
    /// No active line carries the key that must stay: removing would lock Keyhaven out.
    KeepMissing,
    /// An active line carries the key behind options: an administrator's line, left alone (holds
    /// the options, for the explanation).
    Restricted(String),
    /// The old bytes without the lines that carried the key; `removed` counts them.
    Updated { content: Vec<u8>, removed: usize },
}

/// Removes the active option-less lines carrying `old_blob` from `existing`, only while an active
/// line carries `keep_blob`. Every other byte stays, commented-out lines included.
pub fn remove(existing: &[u8], old_blob: &str, keep_blob: &str) -> Removal {
    if !contains_blob(existing, keep_blob) {
        return Removal::KeepMissing;
    }
    let mut content = Vec::with_capacity(existing.len());
    let mut removed = 0;
    for line in existing.split_inclusive(|b| *b == b'\n') {
        match classify(line, old_blob.as_bytes()) {
            LineHolds::Active(options) if options.is_empty() => removed += 1,
            LineHolds::Active(options) => return Removal::Restricted(options.chars().take(200).collect()),
            LineHolds::Commented | LineHolds::Nothing => content.extend_from_slice(line),
        }
    }
    if removed == 0 { Removal::NotPresent } else { Removal::Updated { content, removed } }
}

/// Removes every line that is exactly `line` (its bytes without the line end) from `existing`, only
/// while an active line still carries `keep_blob` afterwards (the key the editor logged in with).
pub fn remove_line(existing: &[u8], line: &str, keep_blob: &str) -> Removal {
    let wanted = line.trim_end_matches(['\r', '\n']).as_bytes();
    let mut content = Vec::with_capacity(existing.len());
    let mut removed = 0;
    for each in existing.split_inclusive(|b| *b == b'\n') {
        let text = each.strip_suffix(b"\n").unwrap_or(each);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !wanted.is_empty() && text == wanted {
            removed += 1;
        } else {
            content.extend_from_slice(each);
        }
    }
    if removed == 0 {
        Removal::NotPresent
    } else if !contains_blob(&content, keep_blob) {
        Removal::KeepMissing
    } else {
        Removal::Updated { content, removed }
    }
}

/// Whether permission bits let group or others write: sshd's StrictModes then ignores the keys.
pub fn loosely_writable(mode: u32) -> bool {
    mode & 0o022 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxWl5ohgZ0zh6J0gxBqAjuGIzRzaJ9MFgYpXDNTyXFU keyhaven";

    fn updated(merge: Merge) -> (Vec<u8>, bool) {
        match merge {
            Merge::Updated { content, was_commented } => (content, was_commented),
            other => panic!("expected an update, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_or_empty_file_gets_just_the_key() {
        let expected = format!("{KEY}\n").into_bytes();
        assert_eq!(updated(merge(None, KEY)), (expected.clone(), false));
        assert_eq!(updated(merge(Some(b""), KEY)), (expected, false));
    }

    #[test]
    fn other_lines_survive_byte_for_byte_and_a_missing_newline_is_added() {
        let old = b"# comment \xff\r\nrestrict,command=\"borg serve\" ssh-rsa AAAAB3Nza other\n\nfrom=\"10.0.0.1\" x y";
        let (new, _) = updated(merge(Some(old), KEY));
        assert!(new.starts_with(old));
        assert_eq!(&new[old.len()..], format!("\n{KEY}\n").as_bytes());
        let with_newline = b"ssh-rsa AAAAB3Nza other\n";
        let (new, _) = updated(merge(Some(with_newline), KEY));
        assert_eq!(&new[with_newline.len()..], format!("{KEY}\n").as_bytes());
    }

    #[test]
    fn a_key_already_present_under_another_comment_is_not_added_again() {
        let blob = key_blob(KEY).unwrap();
        for line in [format!("ssh-ed25519 {blob}"), format!("  ssh-ed25519 {blob} old comment")] {
            assert_eq!(merge(Some(format!("ssh-rsa AAAA z\n{line}\n").as_bytes()), KEY), Merge::AlreadyPresent);
        }
        let prefix_only = format!("ssh-ed25519 {}\n", &blob[..blob.len() - 1]);
        assert!(matches!(merge(Some(prefix_only.as_bytes()), KEY), Merge::Updated { .. }));
    }

    #[test]
    fn a_commented_out_key_is_not_installed_and_gets_an_active_line() {
        let blob = key_blob(KEY).unwrap();
        for line in [format!("#ssh-ed25519 {blob} old"), format!("  # ssh-ed25519 {blob}"), format!("x {blob}")] {
            let old = format!("{line}\n");
            let (new, was_commented) = updated(merge(Some(old.as_bytes()), KEY));
            assert!(was_commented, "{line}");
            assert_eq!(new, format!("{old}{KEY}\n").into_bytes(), "the comment stays, an active line follows");
        }
    }

    #[test]
    fn a_key_behind_options_is_left_alone_and_explained() {
        let blob = key_blob(KEY).unwrap();
        let old = format!("from=\"10.0.0.0/8\",no-pty ssh-ed25519 {blob} restricted\n");
        assert_eq!(merge(Some(old.as_bytes()), KEY), Merge::PresentWithOptions("from=\"10.0.0.0/8\",no-pty".into()));
        let both = format!("{old}ssh-ed25519 {blob}\n");
        assert_eq!(merge(Some(both.as_bytes()), KEY), Merge::AlreadyPresent, "a plain line elsewhere counts");
        assert!(!contains_blob(format!("# ssh-ed25519 {blob}").as_bytes(), blob));
        assert!(contains_blob(old.as_bytes(), blob));
    }

    #[test]
    fn removal_takes_only_the_old_keys_plain_lines_and_never_the_last_working_key() {
        let old = key_blob(KEY).unwrap();
        let keep = "AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N";
        let file = format!(
            "# ops é\r\nssh-ed25519 {old} keyhaven\n#ssh-ed25519 {old} parked\n\nssh-ed25519 {keep} next\n  ssh-ed25519 {old}"
        );
        let Removal::Updated { content, removed } = remove(file.as_bytes(), old, keep) else { panic!("an update") };
        assert_eq!(removed, 2);
        assert_eq!(
            String::from_utf8(content).unwrap(),
            format!("# ops é\r\n#ssh-ed25519 {old} parked\n\nssh-ed25519 {keep} next\n")
        );
        assert_eq!(remove(format!("ssh-ed25519 {keep}\n").as_bytes(), old, keep), Removal::NotPresent);
        let without_keep = format!("ssh-ed25519 {old}\n# ssh-ed25519 {keep}\n");
        assert_eq!(remove(without_keep.as_bytes(), old, keep), Removal::KeepMissing);
        let restricted = format!("from=\"10.0.0.1\" ssh-ed25519 {old}\nssh-ed25519 {keep}\n");
        assert_eq!(remove(restricted.as_bytes(), old, keep), Removal::Restricted("from=\"10.0.0.1\"".into()));
        assert_eq!(lines_of(file.as_bytes(), old), (2, None));
        assert_eq!(lines_of(restricted.as_bytes(), old), (0, Some("from=\"10.0.0.1\"".into())));
    }

    #[test]
    fn a_line_is_removed_only_when_it_matches_exactly_and_the_editors_key_stays() {
        let keep = key_blob(KEY).unwrap();
        let other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N bob";
        let file = format!("# x\r\n{other}\r\n{KEY}\n{other} \n");
        let Removal::Updated { content, removed } = remove_line(file.as_bytes(), other, keep) else { panic!() };
        assert_eq!((String::from_utf8(content).unwrap(), removed), (format!("# x\r\n{KEY}\n{other} \n"), 1));
        assert_eq!(remove_line(file.as_bytes(), "ssh-ed25519 nothing", keep), Removal::NotPresent);
        assert_eq!(remove_line(file.as_bytes(), KEY, keep), Removal::KeepMissing, "never the editor's own key");
        assert_eq!(remove_line(b"\n\n", "", keep), Removal::NotPresent, "an empty line is never a target");
    }

    #[test]
    fn group_or_world_writable_modes_are_loose() {
        assert!(!loosely_writable(0o755));
        assert!(!loosely_writable(0o700));
        assert!(loosely_writable(0o775));
        assert!(loosely_writable(0o757));
    }
}
