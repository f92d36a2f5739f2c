//! Loading the master key at start (and refusing a wrong one), and `keyhaven master-key rotate`.
//!
//! Rotation writes the new key to `<file>.new` first, then re-seals every secret in one database
//! transaction, then renames the new file into place. A crash between those steps leaves either
//! the old key valid (transaction not committed) or `<file>.new` valid, which start-up finishes.

use super::master_key;
use crate::server::config::Settings;
use crate::server::secrets::{self, MasterKey};
use sea_orm::DatabaseConnection;
use std::path::{Path, PathBuf};

fn env_key() -> Option<String> {
    std::env::var("KEYHAVEN_MASTER_KEY").ok().filter(|k| !k.trim().is_empty())
}

fn pending_file(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// The master key, checked against the database. Finishes an interrupted rotation.
pub async fn load_master_key(settings: &Settings, db: &DatabaseConnection) -> Result<MasterKey, String> {
    let file = settings.effective_master_key_file();
    let env = env_key();
    let (key, created) = secrets::load_or_create(env.as_deref(), &file).map_err(|e| format!("master key: {e}"))?;
    if created {
        tracing::warn!(file = %file.display(), "created a new master key; keep a copy apart from database backups");
    }
    let expected = master_key::recorded_id(db).await.map_err(|e| e.to_string())?;
    let pending = pending_file(&file);
    if env.is_none() && expected.as_deref().is_some_and(|id| id != key.id()) && pending.exists() {
        let text = std::fs::read_to_string(&pending).map_err(|e| format!("{}: {e}", pending.display()))?;
        let new_key = MasterKey::from_base64(&text).map_err(|e| format!("{}: {e}", pending.display()))?;
        if expected.as_deref() == Some(new_key.id()) {
            std::fs::rename(&pending, &file).map_err(|e| format!("finishing rotation: {e}"))?;
            tracing::warn!("finished an interrupted master key rotation");
            return Ok(new_key);
        }
    }
    master_key::check_or_record(db, &key).await.map_err(|e| format!("master key: {e}"))?;
    Ok(key)
}

pub async fn rotate_master_key(settings: &Settings) -> Result<(), String> {
    let db = crate::server::db::open(settings).await?;
    let _alone = crate::server::data_lock::hold(&settings.data_dir, "rotating the master key")?;
    let old = load_master_key(settings, &db).await?;
    let file = settings.effective_master_key_file();
    let (new, text) = MasterKey::generate().map_err(|e| e.to_string())?;
    let pending = pending_file(&file);
    secrets::write_key_file(&pending, &text).map_err(|e| e.to_string())?;
    let count = master_key::reseal_secrets(&db, &old, &new).await.map_err(|e| e.to_string())?;
    std::fs::rename(&pending, &file).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("Re-encrypted {count} secret(s) under master key {}; {} now holds it.", new.id(), file.display());
    if env_key().is_some() {
        println!("KEYHAVEN_MASTER_KEY is set: replace it with the contents of {} (or unset it).", file.display());
    }
    Ok(())
}
