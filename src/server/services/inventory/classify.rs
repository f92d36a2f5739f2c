//! The pure step of the inventory: the lines of an `authorized_keys` as sshd reads them, each key
//! matched by fingerprint against what Keyhaven knows, and the drift between two reads.

use crate::model::{InventoryCounts, InventoryLine, class};
use crate::server::ssh::authorized_lines::{self, Entry, KeyOption};
use std::collections::{HashMap, HashSet};

/// Who holds a key Keyhaven knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// [`class::KEYHAVEN`], [`class::PERSON`] or [`class::DEPLOY_KEY`].
    pub class: &'static str,
    pub name: String,
}

/// Every key Keyhaven knows, by `SHA256:` fingerprint. A key that is both ours and a person's is
/// ours: what Keyhaven would rotate or remove matters most.
pub type Known = HashMap<String, Holder>;

/// The comment Keyhaven gives the keys it generates (`keyhaven-<name>`).
const KEYHAVEN_COMMENT: &str = "keyhaven-";

fn option_text(option: &KeyOption) -> String {
    match &option.value {
        Some(value) => format!("{}=\"{}\"", option.name, value.replace('"', "\\\"")),
        None => option.name.clone(),
    }
}

/// Every line of `content`, classified, with the counts.
pub fn classify(content: &str, known: &Known) -> (Vec<InventoryLine>, InventoryCounts) {
    let mut counts = InventoryCounts::default();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let parsed = authorized_lines::parse(content.as_bytes());
    // One key, one class: a key commented `keyhaven-…` on any line is another Keyhaven's on all.
    let keyhaven_commented: HashSet<String> = parsed
        .iter()
        .filter_map(|line| match &line.entry {
            Entry::Key(key) if key.comment.starts_with(KEYHAVEN_COMMENT) => Some(key.fingerprint.clone()),
            _ => None,
        })
        .collect();
    let lines = parsed
        .into_iter()
        .map(|line| {
            let mut out = InventoryLine {
                number: line.number,
                text: line.text,
                kind: String::new(),
                class: None,
                holder: None,
                key_type: None,
                fingerprint: None,
                comment: None,
                options: Vec::new(),
                duplicate_of: None,
                note: None,
            };
            match line.entry {
                Entry::Blank => out.kind = "blank".into(),
                Entry::Comment => out.kind = "comment".into(),
                Entry::Invalid(why) => {
                    counts.invalid += 1;
                    out.kind = "invalid".into();
                    out.note = Some(why);
                }
                Entry::Key(key) => {
                    counts.keys += 1;
                    out.kind = "key".into();
                    let (whose, holder) = match known.get(&key.fingerprint) {
                        Some(h) => (h.class, Some(h.name.clone())),
                        None if keyhaven_commented.contains(&key.fingerprint) => (class::OTHER_KEYHAVEN, None),
                        None => (class::UNKNOWN, None),
                    };
                    *match whose {
                        class::KEYHAVEN => &mut counts.keyhaven,
                        class::PERSON => &mut counts.person,
                        class::DEPLOY_KEY => &mut counts.deploy_key,
                        class::OTHER_KEYHAVEN => &mut counts.other_keyhaven,
                        class::NOTED => &mut counts.noted,
                        _ => &mut counts.unknown,
                    } += 1;
                    if let Some(first) = first_seen.get(&key.fingerprint) {
                        counts.duplicates += 1;
                        out.duplicate_of = Some(*first);
                    } else {
                        first_seen.insert(key.fingerprint.clone(), line.number);
                    }
                    out.class = Some(whose.to_string());
                    out.holder = holder;
                    out.options = key.options.iter().map(option_text).collect();
                    out.key_type = Some(key.key_type);
                    out.fingerprint = Some(key.fingerprint);
                    out.comment = Some(key.comment).filter(|c| !c.is_empty());
                }
            }
            out
        })
        .collect();
    (lines, counts)
}

/// What lets a key in, comment aside: the options and `type base64`.
fn grants(content: &str) -> Vec<String> {
    authorized_lines::parse(content.as_bytes())
        .into_iter()
        .filter_map(|line| match line.entry {
            Entry::Key(key) if key.options.is_empty() => Some(key.key),
            Entry::Key(key) => {
                Some(format!("{} {}", key.options.iter().map(option_text).collect::<Vec<_>>().join(","), key.key))
            }
            _ => None,
        })
        .collect()
}

/// The grants in `new` and not in `old` (added), and in `old` and not in `new` (removed), each
/// counted as often as it occurs.
pub fn drift(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let (old, new) = (grants(old), grants(new));
    let minus = |a: &[String], b: &[String]| {
        let mut left: HashMap<&str, usize> = HashMap::new();
        for grant in b {
            *left.entry(grant).or_default() += 1;
        }
        a.iter()
            .filter(|grant| match left.get_mut(grant.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    (minus(&new, &old), minus(&old, &new))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N";
    const OURS_FP: &str = "SHA256:rvSkWcatk8ih7k2nerDoZ6KBvT4gHgzkZhWdE/wCBXs";
    const ALICE: &str = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIIfx0roCFSXdKm446zMwdeYfPWjGo60ygMwESp9Do96BAAAABHNzaDo=";
    const ALICE_FP: &str = "SHA256:gm4x5fK3wrwNjfjihCPnO3PB9b3tnNGC1K9PgmcM7UQ";
    const OTHER: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE1lHlRxwpE4Lm/pbEGCYqkkMdVmc3S1lKhneSFZKOFxtJJdcDpn5LybiH7V7OObHgfpushHAATrMKvn5SCf4K8=";

    fn known() -> Known {
        Known::from([
            (OURS_FP.to_string(), Holder { class: class::KEYHAVEN, name: "System SSH Key".into() }),
            (ALICE_FP.to_string(), Holder { class: class::PERSON, name: "alice (yubikey)".into() }),
        ])
    }

    #[test]
    fn each_key_is_matched_by_fingerprint_and_repeats_point_at_the_first() {
        let file = format!(
            "# backups\n{OURS} keyhaven-system\nrestrict,command=\"borg serve\" {ALICE} renamed by hand\n\n\
             {OTHER} keyhaven-laptop\nfrom=\"10.0.0.1\" {OTHER} someone\n{OURS} copy\nssh-rsa AAAA broken\n"
        );
        let (lines, counts) = classify(&file, &known());
        let kinds: Vec<&str> = lines.iter().map(|l| l.kind.as_str()).collect();
        assert_eq!(kinds, ["comment", "key", "key", "blank", "key", "key", "key", "invalid"]);
        let classes: Vec<Option<&str>> = lines.iter().map(|l| l.class.as_deref()).collect();
        assert_eq!(
            classes,
            [
                None,
                Some(class::KEYHAVEN),
                Some(class::PERSON),
                None,
                Some(class::OTHER_KEYHAVEN),
                Some(class::OTHER_KEYHAVEN),
                Some(class::KEYHAVEN),
                None
            ]
        );
        assert_eq!(lines[1].holder.as_deref(), Some("System SSH Key"));
        assert_eq!(lines[2].holder.as_deref(), Some("alice (yubikey)"), "found by fingerprint, whatever the comment");
        assert_eq!(lines[2].options, ["restrict", "command=\"borg serve\""]);
        assert_eq!(lines[5].options, ["from=\"10.0.0.1\""]);
        assert_eq!(lines[5].duplicate_of, Some(5), "the same key behind options repeats line 5");
        assert_eq!(lines[6].duplicate_of, Some(2));
        assert_eq!(lines[1].duplicate_of, None);
        assert!(lines[7].note.is_some());
        assert_eq!(
            counts,
            InventoryCounts {
                keys: 5,
                keyhaven: 2,
                other_keyhaven: 2,
                person: 1,
                deploy_key: 0,
                noted: 0,
                unknown: 0,
                duplicates: 2,
                invalid: 1
            }
        );
        let (unknown, _) = classify(&format!("{OTHER} bob@desk\n"), &Known::new());
        assert_eq!(unknown[0].class.as_deref(), Some(class::UNKNOWN));
    }

    #[test]
    fn drift_counts_grants_not_comments_or_order() {
        let old = format!("{OURS} a\n{ALICE} b\n");
        let reordered = format!("# note\n{ALICE} renamed\n{OURS} a\n");
        assert_eq!(drift(&old, &reordered), (vec![], vec![]));
        let new = format!("{OURS} a\n{OURS} again\nno-pty {OTHER}\n");
        assert_eq!(drift(&old, &new), (vec![OURS.to_string(), format!("no-pty {OTHER}")], vec![ALICE.to_string()]));
        let restricted = format!("restrict {OURS} a\n{ALICE} b\n");
        assert_eq!(drift(&old, &restricted), (vec![format!("restrict {OURS}")], vec![OURS.to_string()]));
    }
}
