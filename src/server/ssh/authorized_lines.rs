//! Reading an `authorized_keys` file line by line as sshd does (`auth_check_authkey_line`), for the
//! inventory: which keys can log in, behind which options. Only reads; the editor that writes is
//! `authorized_keys`, which never needs to understand more of a line than its blob.

use russh::keys::ssh_key::{HashAlg, PublicKey};

/// One option before the key (`restrict`, `command="…"`, `from="…"`), its name in lower case as
/// sshd compares them, its value unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyOption {
    pub name: String,
    pub value: Option<String>,
}

/// A line that lets a key in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    pub options: Vec<KeyOption>,
    pub key_type: String,
    /// `type base64`, without options or comment: the form Keyhaven stores keys in.
    pub key: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub comment: String,
}

/// What sshd makes of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Blank,
    /// Starts with `#` (after blanks).
    Comment,
    Key(KeyEntry),
    /// sshd skips it; why.
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based, as an editor shows it.
    pub number: usize,
    /// The line as text (invalid UTF-8 replaced), without its line ending.
    pub text: String,
    pub entry: Entry,
}

/// Every line of `content`; a final newline does not make an extra blank line.
pub fn parse(content: &[u8]) -> Vec<Line> {
    if content.is_empty() {
        return Vec::new();
    }
    let content = content.strip_suffix(b"\n").unwrap_or(content);
    content
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, raw)| {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let text = String::from_utf8_lossy(raw).into_owned();
            let entry = entry(&text);
            Line { number: i + 1, text, entry }
        })
        .collect()
}

fn entry(text: &str) -> Entry {
    let line = text.trim_start_matches([' ', '\t']);
    if line.trim().is_empty() {
        return Entry::Blank;
    }
    if line.starts_with('#') {
        return Entry::Comment;
    }
    // sshd first reads the line as a key; only when that fails are there options to skip.
    if let Some(key) = key_at(line, Vec::new()) {
        return Entry::Key(key);
    }
    let (options, rest) = match split_options(line) {
        Ok(split) => split,
        Err(why) => return Entry::Invalid(why),
    };
    match key_at(rest.trim_start_matches([' ', '\t']), options) {
        Some(key) => Entry::Key(key),
        None => Entry::Invalid("no valid key after the options".into()),
    }
}

/// `type base64 [comment]` at the start of `text`.
fn key_at(text: &str, options: Vec<KeyOption>) -> Option<KeyEntry> {
    let mut words = text.splitn(3, [' ', '\t']);
    let key_type = words.next()?;
    let blob = words.next()?;
    let public = PublicKey::from_openssh(&format!("{key_type} {blob}")).ok()?;
    Some(KeyEntry {
        options,
        key_type: key_type.to_string(),
        key: format!("{key_type} {blob}"),
        fingerprint: public.fingerprint(HashAlg::Sha256).to_string(),
        comment: words.next().unwrap_or("").trim().to_string(),
    })
}

/// The comma-separated options up to the first blank outside quotes, and the rest of the line.
/// Inside quotes `\"` is a quote, as in sshd.
fn split_options(line: &str) -> Result<(Vec<KeyOption>, &str), String> {
    let mut options = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut end = line.len();
    for (at, c) in line.char_indices() {
        if quoted {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => quoted = false,
                _ => escaped = false,
            }
            current.push(c);
            continue;
        }
        match c {
            ' ' | '\t' => {
                end = at;
                break;
            }
            '"' => {
                quoted = true;
                current.push(c);
            }
            ',' => options.push(option(&std::mem::take(&mut current))),
            _ => current.push(c),
        }
    }
    if quoted {
        return Err("an option's quote is not closed".into());
    }
    if !current.is_empty() {
        options.push(option(&current));
    }
    Ok((options, &line[end..]))
}

fn option(text: &str) -> KeyOption {
    match text.split_once('=') {
        Some((name, value)) => {
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            KeyOption { name: name.to_ascii_lowercase(), value: Some(value.replace("\\\"", "\"")) }
        }
        None => KeyOption { name: text.to_ascii_lowercase(), value: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED25519: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N";
    const ED25519_FP: &str = "SHA256:rvSkWcatk8ih7k2nerDoZ6KBvT4gHgzkZhWdE/wCBXs";
    const SK: &str = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIIfx0roCFSXdKm446zMwdeYfPWjGo60ygMwESp9Do96BAAAABHNzaDo=";
    const SK_FP: &str = "SHA256:gm4x5fK3wrwNjfjihCPnO3PB9b3tnNGC1K9PgmcM7UQ";
    const ECDSA: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE1lHlRxwpE4Lm/pbEGCYqkkMdVmc3S1lKhneSFZKOFxtJJdcDpn5LybiH7V7OObHgfpushHAATrMKvn5SCf4K8=";
    const ECDSA_FP: &str = "SHA256:5KM5LT4Ck0k87rnePFrR+Lc3du+cuTSgrLQXfxtCQJQ";

    fn key(line: &Line) -> &KeyEntry {
        match &line.entry {
            Entry::Key(key) => key,
            other => panic!("line {} is not a key: {other:?}", line.number),
        }
    }

    fn opt(name: &str, value: Option<&str>) -> KeyOption {
        KeyOption { name: name.into(), value: value.map(str::to_string) }
    }

    /// Fingerprints as `ssh-keygen -lf` printed them for these keys.
    #[test]
    fn a_prepared_file_reads_as_sshd_reads_it() {
        let file = format!(
            "# managed by hand\n\n{ED25519} alice@laptop\r\n  \t\n\
             restrict,command=\"borg serve --restrict-to-path /srv/a\\\"b\" {ECDSA} keyhaven-other\n\
             from=\"10.0.0.0/8,192.168.1.1\",no-pty,expiry-time=\"20301231\" {SK} yubikey\n\
             \t  # {ED25519} commented out\n\
             {ED25519} alice again\n\
             ssh-rsa AAAAnot-base64 broken\n\
             command=\"unclosed {ED25519}\n\
             {SK}"
        );
        let lines = parse(file.as_bytes());
        assert_eq!(lines.len(), 11, "a missing final newline still ends the last line");
        assert_eq!(lines.iter().map(|l| l.number).collect::<Vec<_>>(), (1..=11).collect::<Vec<_>>());
        assert_eq!(lines[0].entry, Entry::Comment);
        assert_eq!(lines[1].entry, Entry::Blank);
        let alice = key(&lines[2]);
        assert_eq!((alice.fingerprint.as_str(), alice.comment.as_str()), (ED25519_FP, "alice@laptop"));
        assert!(alice.options.is_empty());
        assert_eq!(alice.key, ED25519);
        assert!(!lines[2].text.ends_with('\r'), "a CRLF ending is not part of the text");
        assert_eq!(lines[3].entry, Entry::Blank);
        let borg = key(&lines[4]);
        assert_eq!(borg.fingerprint, ECDSA_FP);
        assert_eq!(
            borg.options,
            vec![opt("restrict", None), opt("command", Some("borg serve --restrict-to-path /srv/a\"b"))]
        );
        let sk = key(&lines[5]);
        assert_eq!((sk.key_type.as_str(), sk.fingerprint.as_str()), ("sk-ssh-ed25519@openssh.com", SK_FP));
        assert_eq!(
            sk.options,
            vec![
                opt("from", Some("10.0.0.0/8,192.168.1.1")),
                opt("no-pty", None),
                opt("expiry-time", Some("20301231"))
            ]
        );
        assert_eq!(lines[6].entry, Entry::Comment);
        assert_eq!(key(&lines[7]).fingerprint, ED25519_FP, "a duplicate is its own line");
        assert!(matches!(lines[8].entry, Entry::Invalid(_)), "{:?}", lines[8].entry);
        assert_eq!(lines[9].entry, Entry::Invalid("an option's quote is not closed".into()));
        assert_eq!((key(&lines[10]).comment.as_str(), key(&lines[10]).fingerprint.as_str()), ("", SK_FP));
    }

    #[test]
    fn empty_files_and_odd_bytes_never_panic() {
        assert!(parse(b"").is_empty());
        assert_eq!(parse(b"\n").len(), 1);
        let lines = parse(b"\xff\xfe ssh-ed25519\n,,,\n\"\n=\n");
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| matches!(l.entry, Entry::Invalid(_))), "{lines:?}");
    }

    #[test]
    fn option_names_are_compared_in_lower_case() {
        let lines = parse(format!("No-Port-Forwarding,COMMAND=\"x\" {ED25519}\n").as_bytes());
        assert_eq!(key(&lines[0]).options, vec![opt("no-port-forwarding", None), opt("command", Some("x"))]);
    }
}
