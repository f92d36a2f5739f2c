//! The house rules of the domain folders, read from the source so that a change that breaks one
//! fails here with the file named: imports point down (no domain reaches a domain above it, so
//! there is no circle), each table is written by one domain, every layer uses the domain's word,
//! and no product file is named like a test. The compiler already enforces the doors (the files
//! inside a domain are private modules).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The domains from the bottom up, with the domains each may use. Anything not listed is refused.
const MAY_USE: &[(&str, &[&str])] = &[
    ("accounts", &[]),
    ("alerts", &[]),
    ("keys", &["alerts"]),
    ("hosts", &[]),
    ("public_keys", &["accounts"]),
    ("connections", &["hosts", "keys"]),
    ("setup", &["accounts", "connections", "hosts", "keys"]),
    ("inventory", &["accounts", "connections", "public_keys"]),
    ("health", &["connections", "alerts", "inventory"]),
    ("rotation", &["connections", "keys"]),
];

/// Which domain may write each table (`ActiveModel` of the entity). The floor's `audit` writes
/// `audit_log`; `app_setting` is a key-value table shared by key: the first-admin marker belongs to
/// `accounts`, the master key id to `keys`, the wizard step to `setup`.
const WRITER: &[(&str, &[&str])] = &[
    ("user", &["accounts"]),
    ("api_token", &["accounts"]),
    ("ssh_key", &["keys"]),
    ("public_key", &["public_keys"]),
    ("repository", &["public_keys"]),
    ("known_host", &["hosts"]),
    ("ssh_connection", &["connections"]),
    ("connection_check", &["connections"]),
    ("check_schedule", &["health"]),
    ("alert_state", &["health"]),
    ("alert_event", &["health"]),
    ("alert_channel", &["alerts"]),
    ("alert_delivery", &["alerts"]),
    ("inventory_read", &["inventory"]),
    ("inventory_note", &["inventory"]),
    ("inventory_run", &["inventory"]),
    ("key_rotation", &["rotation"]),
    ("rotation_host", &["rotation"]),
    ("app_setting", &["accounts", "keys", "setup"]),
    ("audit_log", &["audit"]),
];

const DOMAINS: [&str; 10] =
    ["accounts", "alerts", "keys", "public_keys", "hosts", "connections", "setup", "health", "inventory", "rotation"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn services_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/services")
}

/// The domain (or floor module) a file under `services/` belongs to.
fn owner_of(file: &Path) -> String {
    let relative = file.strip_prefix(services_dir()).expect("under services");
    let first = relative.components().next().expect("a component");
    first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string()
}

/// Every `services::<domain>` a file names, in `use` lines and paths alike.
fn domains_named(source: &str) -> Vec<String> {
    let mut named = Vec::new();
    for (index, _) in source.match_indices("services::") {
        let rest = &source[index + "services::".len()..];
        let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if DOMAINS.contains(&word.as_str()) {
            named.push(word);
        }
        // `use crate::server::services::{a, b}` names several at once.
        if rest.starts_with('{') {
            let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
            for part in group.split(',') {
                let word = part.trim().split("::").next().unwrap_or("").trim();
                if DOMAINS.contains(&word) {
                    named.push(word.to_string());
                }
            }
        }
    }
    named
}

#[test]
fn a_domain_uses_only_the_domains_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = MAY_USE.iter().copied().collect();
    let mut wrong = Vec::new();
    for file in rust_files(&services_dir()) {
        let owner = owner_of(&file);
        let source = fs::read_to_string(&file).expect("readable");
        for named in domains_named(&source) {
            if named == owner {
                continue;
            }
            let ok = match allowed.get(owner.as_str()) {
                Some(may) => may.contains(&named.as_str()),
                // The floor (audit, changes, paging, remote, the files writer) uses no domain,
                // except the writer, which reads what it writes out.
                None => owner == "ssh_files" && named == "hosts",
            };
            if !ok {
                wrong.push(format!("{} uses `{named}`", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "imports must point down (see DEVELOPERS.md, Domains):\n{}", wrong.join("\n"));
}

#[test]
fn each_table_is_written_by_its_own_domain() {
    let writers: BTreeMap<&str, &[&str]> = WRITER.iter().copied().collect();
    let mut wrong = Vec::new();
    for file in rust_files(&services_dir()) {
        let owner = owner_of(&file);
        let source = fs::read_to_string(&file).expect("readable");
        for (table, may) in &writers {
            if source.contains(&format!("{table}::ActiveModel")) && !may.contains(&owner.as_str()) {
                wrong.push(format!("{} writes `{table}`", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "a table has one writing domain:\n{}", wrong.join("\n"));
}

#[test]
fn every_layer_names_the_domain_with_the_same_word() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers = ["server/services", "api", "api/rest", "pages", "model"];
    let mut missing = Vec::new();
    for layer in layers {
        for domain in DOMAINS {
            let folder = root.join(layer).join(domain);
            let file = root.join(layer).join(format!("{domain}.rs"));
            if !folder.is_dir() && !file.is_file() {
                missing.push(format!("src/{layer}/{domain}"));
            }
        }
    }
    assert!(missing.is_empty(), "each domain has its room in every layer:\n{}", missing.join("\n"));
}

#[test]
fn no_product_file_is_named_like_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let named_like_tests: Vec<String> = rust_files(&root)
        .into_iter()
        .filter(|path| {
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            stem == "test" || stem == "tests" || stem.starts_with("test_") || stem.ends_with("_test")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(named_like_tests.is_empty(), "rename these: {named_like_tests:?}");
}
