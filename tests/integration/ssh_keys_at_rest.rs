//! Private keys never rest in clear; the master key guards them, fails loudly when wrong, and
//! rotates.

use crate::common::sqlite;
use keyhaven::server::config::Settings;
use keyhaven::server::secrets::{MasterKey, SecretError};
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::keys::{self, NewKey};
use keyhaven::server::ssh::keys::KeySpec;

fn new(name: &str) -> NewKey<'_> {
    NewKey::new(name, "test", false)
}

#[tokio::test]
async fn no_file_in_the_data_dir_holds_a_private_key_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let conn = keyhaven::server::db::open(&settings).await.unwrap();
    let master = keyhaven::server::services::keys::load_master_key(&settings, &conn).await.unwrap();
    let mut bodies = Vec::new();
    for (name, spec) in
        [("ed", KeySpec::Ed25519), ("ec", KeySpec::Ecdsa { bits: 256 }), ("rsa", KeySpec::Rsa { bits: 2048 })]
    {
        let key = keys::generate(&conn, &crate::common::file_writer(&conn), &master, &Actor::cli(), new(name), spec)
            .await
            .unwrap();
        let private = keys::open_private_key(&master, &key).unwrap();
        // A long run of the key's base64 body, which would appear if it were stored in clear.
        let body: String = private.lines().filter(|l| !l.starts_with("-----")).collect();
        bodies.push(body[40..100].to_string());
    }
    conn.close().await.unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PRIVATE KEY"), "{} holds a PEM private key", path.display());
        for body in &bodies {
            assert!(!text.contains(body.as_str()), "{} holds a key body", path.display());
        }
    }
}

#[tokio::test]
async fn a_wrong_master_key_is_refused_at_start_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let conn = keyhaven::server::db::open(&settings).await.unwrap();
    let master = keyhaven::server::services::keys::load_master_key(&settings, &conn).await.unwrap();
    let key =
        keys::generate(&conn, &crate::common::file_writer(&conn), &master, &Actor::cli(), new("k"), KeySpec::Ed25519)
            .await
            .unwrap();
    let key_file = settings.effective_master_key_file();
    let original = std::fs::read_to_string(&key_file).unwrap();
    let (_, other) = MasterKey::generate().unwrap();
    std::fs::write(&key_file, other.as_str()).unwrap();
    let err = keyhaven::server::services::keys::load_master_key(&settings, &conn).await.unwrap_err();
    assert!(err.contains("not the one this database was sealed with"), "{err}");
    std::fs::write(&key_file, &original).unwrap();
    let again = keyhaven::server::services::keys::load_master_key(&settings, &conn).await.unwrap();
    let stored = keys::get_key(&conn, key.id).await.unwrap();
    assert_eq!(stored.private_key_enc, key.private_key_enc, "nothing was rewritten");
    assert!(keys::open_private_key(&again, &stored).is_ok());
}

#[tokio::test]
async fn rotation_reseals_everything_and_retires_the_old_key() {
    let db = sqlite().await;
    let (old, _) = MasterKey::generate().unwrap();
    keys::check_or_record(&db.conn, &old).await.unwrap();
    let a = keys::generate(
        &db.conn,
        &crate::common::file_writer(&db.conn),
        &old,
        &Actor::cli(),
        new("a"),
        KeySpec::Ed25519,
    )
    .await
    .unwrap();
    let b = keys::generate(
        &db.conn,
        &crate::common::file_writer(&db.conn),
        &old,
        &Actor::cli(),
        new("b"),
        KeySpec::Ecdsa { bits: 384 },
    )
    .await
    .unwrap();
    let before = keys::open_private_key(&old, &a).unwrap();
    // An alert channel's sealed secrets go along.
    let hook = keyhaven::server::services::alerts::ChannelInput {
        name: Some("hook".into()),
        kind: Some("webhook".into()),
        url: Some("https://hooks.example.com/secret-path".into()),
        secret: Some("signing secret".into()),
        ..Default::default()
    };
    let hook = keyhaven::server::services::alerts::create(&db.conn, &old, &Actor::cli(), &hook).await.unwrap();
    let (new_key, _) = MasterKey::generate().unwrap();
    assert_eq!(keys::reseal_secrets(&db.conn, &old, &new_key).await.unwrap(), 3);
    let rename =
        keyhaven::server::services::alerts::ChannelInput { name: Some("renamed".into()), ..Default::default() };
    let cli = Actor::cli();
    let update = |master| keyhaven::server::services::alerts::update(&db.conn, master, &cli, hook.id, &rename);
    assert!(update(&old).await.is_err(), "the old key no longer opens the channel's secrets");
    let renamed = update(&new_key).await.unwrap();
    assert!(keyhaven::server::services::alerts::view(&renamed).signed);
    let a2 = keys::get_key(&db.conn, a.id).await.unwrap();
    let b2 = keys::get_key(&db.conn, b.id).await.unwrap();
    assert_eq!(*keys::open_private_key(&new_key, &a2).unwrap(), *before);
    assert!(keys::open_private_key(&new_key, &b2).is_ok());
    assert!(keys::open_private_key(&old, &a2).is_err(), "the retired key opens nothing new");
    let aad = keys::aad(&a.fingerprint);
    assert!(
        matches!(new_key.open(&a.private_key_enc, &aad), Err(SecretError::WrongKey { .. })),
        "old ciphertexts stay closed"
    );
    assert!(keys::check_or_record(&db.conn, &old).await.is_err());
    assert!(keys::check_or_record(&db.conn, &new_key).await.is_ok());
}

#[tokio::test]
async fn the_master_key_is_not_rotated_beside_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let conn = keyhaven::server::db::open(&settings).await.unwrap();
    let master = keyhaven::server::services::keys::load_master_key(&settings, &conn).await.unwrap();
    let before = std::fs::read(settings.effective_master_key_file()).unwrap();
    let server = keyhaven::server::data_lock::hold(&settings.data_dir, "serving").unwrap();
    let refused = keyhaven::server::services::keys::rotate_master_key(&settings).await.unwrap_err();
    assert!(refused.contains("stop it before rotating the master key"), "{refused}");
    assert_eq!(std::fs::read(settings.effective_master_key_file()).unwrap(), before, "the key file is unchanged");
    assert!(keys::check_or_record(&conn, &master).await.is_ok(), "the database still uses the old key");
    drop(server);
    keyhaven::server::services::keys::rotate_master_key(&settings).await.unwrap();
    assert_ne!(std::fs::read(settings.effective_master_key_file()).unwrap(), before, "rotated once the server is gone");
}

#[tokio::test]
async fn the_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { data_dir: dir.path().to_path_buf(), ..Settings::default() };
    let conn = keyhaven::server::db::open(&settings).await.unwrap();
    keys::generate(
        &conn,
        &crate::common::file_writer(&conn),
        &MasterKey::generate().unwrap().0,
        &Actor::cli(),
        new("w"),
        KeySpec::Ed25519,
    )
    .await
    .unwrap();
    for name in ["keyhaven.db", "keyhaven.db-wal", "keyhaven.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
}
