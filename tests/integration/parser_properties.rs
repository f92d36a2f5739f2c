//! Property tests (proptest, a fixed number of cases per run) of what reads untrusted text: the
//! public key parser, the known_hosts line parser and the authorized_keys editor. Inputs are both
//! arbitrary bytes and lines assembled from the pieces real files are made of, valid keys included,
//! then cut and bent.

use keyhaven::server::services::hosts::{parse_line, validate_host};
use keyhaven::server::ssh::authorized_keys::{Merge, key_blob, merge};
use keyhaven::server::ssh::public_key::{KeyPolicy, parse};
use proptest::prelude::*;

const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF0KhY0U+MlomC9QRuLS90jzgeweKQ3Ik7RrdjVY5lT2";
const EC: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGNwCoxM/r990b25SvsZ8zKAzYSowm83SurcTZigpEUVs5aOIc4df2QdajPlt10z2OidvWl45jyhoYvPQ6UA3kg=";
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP86G9OS09WNE+AH2KvDImqWGnbzB6pnujPKMC4oxmae keyhaven";

fn config() -> ProptestConfig {
    ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() }
}

/// A word of the kind authorized_keys and known_hosts lines are made of.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(ED.to_string()),
        Just(EC.to_string()),
        Just(KEY.to_string()),
        Just(key_blob(KEY).unwrap_or_default().to_string()),
        Just("#".to_string()),
        Just("restrict,command=\"borg serve --append-only\"".to_string()),
        Just("from=\"10.0.0.0/8\"".to_string()),
        Just("[backup.example]:2222".to_string()),
        Just("|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|aGFzaGhhc2hoYXNoaGFzaGhhc2g=".to_string()),
        Just("@revoked".to_string()),
        Just("*.example.com".to_string()),
        Just("ssh-dss".to_string()),
        "[a-z0-9.:\\-\\[\\]]{0,20}",
        "[A-Za-z0-9+/=]{0,80}",
        "\\PC{0,12}",
        Just("\r".to_string()),
        Just("\t".to_string()),
        Just(" ".to_string()),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..6).prop_map(|words| words.join(" "))
}

/// A valid key line cut short or with a character changed: what a careless paste looks like.
fn bent_key() -> impl Strategy<Value = String> {
    (prop_oneof![Just(ED), Just(EC)], any::<usize>(), any::<char>()).prop_map(|(key, at, c)| {
        let mut chars: Vec<char> = key.chars().collect();
        let at = at % chars.len();
        if c.is_ascii_digit() {
            chars.truncate(at);
        } else {
            chars[at] = c;
        }
        chars.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_public_key_parser_never_panics_and_what_it_accepts_reads_back_the_same(
        text in prop_oneof![line(), bent_key(), "\\PC{0,200}"]
    ) {
        if let Ok(parsed) = parse(&text, &KeyPolicy::default()) {
            let again = parse(&parsed.key, &KeyPolicy::default());
            prop_assert!(again.is_ok(), "{} did not read back", parsed.key);
            prop_assert_eq!(again.map(|k| k.fingerprint).unwrap_or_default(), parsed.fingerprint);
            prop_assert!(!parsed.key.contains(['\n', '\r']));
        }
    }

    #[test]
    fn a_known_hosts_line_yields_valid_hosts_or_a_reason(text in prop_oneof![line(), "\\PC{0,200}"]) {
        let candidates = vec![("backup.example".to_string(), 2222)];
        match parse_line(&text, &candidates) {
            Ok(Some((targets, key))) => {
                prop_assert!(!targets.is_empty());
                for (host, port) in targets {
                    prop_assert!(validate_host(&host).is_ok(), "{host}");
                    prop_assert!(port >= 1);
                }
                prop_assert!(key.fingerprint.starts_with("SHA256:"));
            }
            Ok(None) => prop_assert!(text.trim().is_empty() || text.trim().starts_with('#')),
            Err(reason) => prop_assert!(!reason.is_empty()),
        }
    }

    /// The editor's promise: every byte that was there is still there, in place, plus at most the
    /// one line added at the end.
    #[test]
    fn the_authorized_keys_editor_keeps_every_line_and_adds_at_most_one(
        lines in prop::collection::vec(prop_oneof![line(), "\\PC{0,40}"], 0..8),
        raw in prop::collection::vec(any::<u8>(), 0..64),
        newline_at_end in any::<bool>(),
        with_raw in any::<bool>(),
    ) {
        let mut existing = lines.join("\n").into_bytes();
        if with_raw {
            existing.extend_from_slice(&raw);
        }
        if newline_at_end {
            existing.push(b'\n');
        }
        match merge(Some(&existing), KEY) {
            Merge::AlreadyPresent | Merge::PresentWithOptions(_) => {}
            Merge::Updated { content, .. } => {
                prop_assert!(content.starts_with(&existing), "old bytes kept in place");
                let mut added = &content[existing.len()..];
                if !existing.is_empty() && !existing.ends_with(b"\n") {
                    prop_assert_eq!(added.first(), Some(&b'\n'));
                    added = &added[1..];
                }
                let expected = format!("{KEY}\n");
                prop_assert_eq!(added, expected.as_bytes(), "exactly the key line added");
            }
        }
        // A file that holds the key on an active line of its own needs nothing.
        let mut with_key = existing.clone();
        if !with_key.is_empty() && !with_key.ends_with(b"\n") {
            with_key.push(b'\n');
        }
        with_key.extend_from_slice(format!("{KEY}\n").as_bytes());
        prop_assert_eq!(merge(Some(&with_key), KEY), Merge::AlreadyPresent);
    }
}
