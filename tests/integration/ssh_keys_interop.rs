//! Keys Keyhaven makes load in OpenSSH, and keys OpenSSH makes import into Keyhaven, with the same
//! fingerprints on both sides.

use crate::common::{openssh, sqlite};
use keyhaven::server::secrets::MasterKey;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::keys::{self, KeySpec, NewKey};
use keyhaven::server::ssh::keys::import_private;

fn named(name: &str) -> NewKey<'_> {
    NewKey::new(name, "", false)
}

#[tokio::test]
async fn generated_keys_load_in_openssh_with_the_same_fingerprint_and_randomart() {
    let db = sqlite().await;
    let (master, _) = MasterKey::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let specs = [
        ("ed", KeySpec::Ed25519),
        ("p256", KeySpec::Ecdsa { bits: 256 }),
        ("p384", KeySpec::Ecdsa { bits: 384 }),
        ("p521", KeySpec::Ecdsa { bits: 521 }),
        ("rsa2048", KeySpec::Rsa { bits: 2048 }),
        ("rsa3072", KeySpec::Rsa { bits: 3072 }),
        ("rsa4096", KeySpec::Rsa { bits: 4096 }),
    ];
    for (name, spec) in specs {
        let key =
            keys::generate(&db.conn, &crate::common::file_writer(&db.conn), &master, &Actor::cli(), named(name), spec)
                .await
                .unwrap();
        let private = keys::open_private_key(&master, &key).unwrap();
        let private_file = dir.path().join(name);
        openssh::write_private(&private_file, &private);
        let ours: String = key.public_key.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        assert_eq!(openssh::public_from_private(&private_file), ours, "{name}: ssh-keygen -y");
        let pub_file = dir.path().join(format!("{name}.pub"));
        std::fs::write(&pub_file, format!("{}\n", key.public_key)).unwrap();
        assert_eq!(openssh::fingerprint(&pub_file, "sha256"), key.fingerprint, "{name}: ssh-keygen -l");
        assert_eq!(
            openssh::fingerprint(&pub_file, "md5"),
            keys::fingerprint_md5(&key.public_key).unwrap(),
            "{name}: md5"
        );
        assert_eq!(openssh::randomart(&pub_file), keys::randomart(&key.public_key).unwrap(), "{name}: randomart");
    }
}

#[tokio::test]
async fn keys_made_by_ssh_keygen_import_in_every_format_with_and_without_passphrase() {
    let db = sqlite().await;
    let (master, _) = MasterKey::generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    let types: [(&str, Option<u32>); 5] =
        [("ed25519", None), ("ecdsa", Some(256)), ("ecdsa", Some(384)), ("ecdsa", Some(521)), ("rsa", Some(3072))];
    for (key_type, bits) in types {
        for format in [None, Some("PEM"), Some("PKCS8")] {
            if key_type == "ed25519" && format.is_some() {
                continue; // OpenSSH writes ed25519 keys only in its own format
            }
            for passphrase in ["", "correct horse"] {
                count += 1;
                let name = format!("k{count}");
                let file = openssh::keygen(dir.path(), &name, key_type, bits, format, passphrase);
                let text = std::fs::read_to_string(&file).unwrap();
                let label = format!("{key_type} {bits:?} {format:?} passphrase={}", !passphrase.is_empty());
                let pass = (!passphrase.is_empty()).then_some(passphrase);
                let key = keys::import_text(
                    &db.conn,
                    &crate::common::file_writer(&db.conn),
                    &master,
                    &Actor::cli(),
                    named(&name),
                    &text,
                    pass,
                    None,
                )
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}"));
                let expected = openssh::fingerprint(&file.with_extension("pub"), "sha256");
                assert_eq!(key.fingerprint, expected, "{label}");
                if pass.is_some() {
                    let err = import_private(&text, None, None).unwrap_err();
                    assert_eq!(err.to_string(), "this key is encrypted; enter its passphrase", "{label}");
                    let err = import_private(&text, Some("wrong"), None).unwrap_err();
                    assert_eq!(err.to_string(), "the passphrase is wrong", "{label}");
                }
            }
        }
    }
    assert_eq!(keys::list_keys(&db.conn).await.unwrap().len(), count);
}
