//! The master key's relation to the database: which key sealed the secrets, checked at every start,
//! and rotation to a new key.

use super::store::aad;
use crate::server::entities::{app_setting, ssh_key};
use crate::server::error::ServiceError;
use crate::server::secrets::{MasterKey, SecretError};
use crate::server::services::audit::{self, Actor, Event};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

const MASTER_KEY_ID: &str = "master_key_id";

/// Refuses to start with a master key other than the one that sealed the database's secrets, so a
/// wrong key fails loudly instead of failing every later decryption. Records the id on first start.
pub async fn check_or_record(db: &DatabaseConnection, master: &MasterKey) -> Result<(), ServiceError> {
    match app_setting::Entity::find_by_id(MASTER_KEY_ID).one(db).await? {
        Some(row) if row.value == master.id() => Ok(()),
        Some(row) => Err(ServiceError::Internal(format!(
            "the master key in use ({}) is not the one this database was sealed with ({}); \
             set KEYHAVEN_MASTER_KEY or KEYHAVEN_MASTER_KEY_FILE to the right key. Nothing was changed.",
            master.id(),
            row.value
        ))),
        None => {
            app_setting::ActiveModel { key: Set(MASTER_KEY_ID.into()), value: Set(master.id().into()) }
                .insert(db)
                .await?;
            Ok(())
        }
    }
}

/// The key id the database expects, if any.
pub async fn recorded_id(db: &DatabaseConnection) -> Result<Option<String>, ServiceError> {
    Ok(app_setting::Entity::find_by_id(MASTER_KEY_ID).one(db).await?.map(|r| r.value))
}

/// Re-seals every secret (private keys, alert channels' secrets) under `new` in one transaction and records the new key id. Returns how many
/// secrets were re-sealed. Nothing changes if any secret fails to open with `old`.
pub async fn reseal_secrets(db: &DatabaseConnection, old: &MasterKey, new: &MasterKey) -> Result<usize, ServiceError> {
    let sealed = |e: SecretError| ServiceError::Internal(format!("re-sealing: {e}"));
    let txn = db.begin().await?;
    let keys = ssh_key::Entity::find().all(&txn).await?;
    for key in &keys {
        let plain = old.open(&key.private_key_enc, &aad(&key.fingerprint)).map_err(sealed)?;
        let mut row: ssh_key::ActiveModel = key.clone().into();
        row.private_key_enc = Set(new.seal(&plain, &aad(&key.fingerprint)).map_err(sealed)?);
        row.update(&txn).await?;
    }
    let channels = crate::server::services::alerts::reseal(&txn, old, new).await?;
    let mut setting: app_setting::ActiveModel = match app_setting::Entity::find_by_id(MASTER_KEY_ID).one(&txn).await? {
        Some(row) => row.into(),
        None => app_setting::ActiveModel { key: Set(MASTER_KEY_ID.into()), ..Default::default() },
    };
    setting.value = Set(new.id().to_string());
    setting.save(&txn).await?;
    let count = keys.len() + channels;
    let detail = format!("{} → {}, {count} secret(s)", old.id(), new.id());
    audit::record(
        &txn,
        &Actor::cli(),
        Event { action: "master_key.rotated", target: "master key", success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    Ok(count)
}
