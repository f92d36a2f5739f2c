//! The channels alerts go to: kept with their secrets sealed under the master key (bound to the
//! channel's row), shown without them, every change in the audit log.

use super::form::{ChannelInput, Checked, Config, EMAIL, Secrets, Stored, check};
use crate::model::{ChannelView, EmailSettings};
use crate::server::entities::alert_channel;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::rfc3339;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use zeroize::Zeroizing;

/// Binds an envelope to its channel, so sealed secrets cannot be moved between rows.
fn aad(id: i32) -> String {
    format!("alert_channel:{id}")
}

fn sealing(e: crate::server::secrets::SecretError) -> ServiceError {
    ServiceError::Internal(format!("alert channel secrets: {e}"))
}

fn seal(master: &MasterKey, id: i32, secrets: &Secrets) -> Result<Option<String>, ServiceError> {
    if secrets.url.is_none() && secrets.secret.is_none() && secrets.password.is_none() {
        return Ok(None);
    }
    let plain = Zeroizing::new(serde_json::to_vec(secrets).map_err(|e| ServiceError::Internal(e.to_string()))?);
    Ok(Some(master.seal(&plain, &aad(id)).map_err(sealing)?))
}

/// The channel's secrets, opened.
pub fn open(master: &MasterKey, channel: &alert_channel::Model) -> Result<Secrets, ServiceError> {
    let Some(envelope) = &channel.sealed else { return Ok(Secrets::default()) };
    let plain = master.open(envelope, &aad(channel.id)).map_err(sealing)?;
    serde_json::from_slice(&plain).map_err(|e| ServiceError::Internal(format!("alert channel secrets: {e}")))
}

pub fn config(channel: &alert_channel::Model) -> Config {
    serde_json::from_str(&channel.config).unwrap_or_default()
}

pub fn view(channel: &alert_channel::Model) -> ChannelView {
    let config = config(channel);
    let email = (channel.kind == EMAIL).then(|| EmailSettings {
        smtp_host: config.smtp_host.clone().unwrap_or_default(),
        smtp_port: config.smtp_port.unwrap_or(0),
        tls: config.tls.clone().unwrap_or_default(),
        username: config.username.clone(),
        // An email channel seals only its password.
        has_password: channel.sealed.is_some(),
        from: config.from.clone().unwrap_or_default(),
        to: config.to.clone(),
    });
    ChannelView {
        id: channel.id,
        name: channel.name.clone(),
        kind: channel.kind.clone(),
        enabled: channel.enabled,
        target: config.target,
        signed: config.signed,
        email,
        digest_minutes: channel.digest_minutes,
        last_delivery_at: channel.last_delivery_at.as_ref().map(rfc3339),
        last_delivery_ok: channel.last_delivery_ok,
        last_delivery_detail: channel.last_delivery_detail.clone(),
    }
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<alert_channel::Model>, ServiceError> {
    Ok(alert_channel::Entity::find().order_by_asc(alert_channel::Column::Name).all(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<alert_channel::Model, ServiceError> {
    alert_channel::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("alert channel {id}")))
}

async fn name_taken(db: &impl ConnectionTrait, name: &str, except: Option<i32>) -> Result<(), ServiceError> {
    let mut query = alert_channel::Entity::find().filter(alert_channel::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(alert_channel::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(ServiceError::conflict("name", format!("A channel named '{name}' exists already.")));
    }
    Ok(())
}

fn config_text(checked: &Checked) -> Result<String, ServiceError> {
    serde_json::to_string(&checked.config).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Adds a channel.
pub async fn create(
    db: &DatabaseConnection,
    master: &MasterKey,
    actor: &Actor,
    input: &ChannelInput,
) -> Result<alert_channel::Model, ServiceError> {
    let checked = check(input, None)?;
    let txn = db.begin().await?;
    name_taken(&txn, &checked.name, None).await?;
    let now = Utc::now();
    let row = alert_channel::ActiveModel {
        name: Set(checked.name.clone()),
        kind: Set(checked.kind.into()),
        enabled: Set(checked.enabled),
        config: Set(config_text(&checked)?),
        sealed: Set(None),
        digest_minutes: Set(checked.digest_minutes),
        created_at: Set(now),
        updated_at: Set(now),
        last_delivery_at: Set(None),
        last_delivery_ok: Set(None),
        last_delivery_detail: Set(None),
        ..Default::default()
    };
    let saved = row.insert(&txn).await?;
    let mut row: alert_channel::ActiveModel = saved.clone().into();
    row.sealed = Set(seal(master, saved.id, &checked.secrets)?);
    let saved = row.update(&txn).await?;
    let detail = format!("{} to {}", checked.kind, checked.config.target);
    audit::record(
        &txn,
        actor,
        Event { action: "alert_channel.created", target: &checked.name, success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Changes a channel; what `input` leaves out keeps its value (secrets included).
pub async fn update(
    db: &DatabaseConnection,
    master: &MasterKey,
    actor: &Actor,
    id: i32,
    input: &ChannelInput,
) -> Result<alert_channel::Model, ServiceError> {
    let txn = db.begin().await?;
    let old = get(&txn, id).await?;
    let stored = Stored {
        name: old.name.clone(),
        kind: old.kind.clone(),
        enabled: old.enabled,
        config: config(&old),
        secrets: open(master, &old)?,
        digest_minutes: old.digest_minutes,
    };
    let checked = check(input, Some(stored))?;
    name_taken(&txn, &checked.name, Some(id)).await?;
    let mut row: alert_channel::ActiveModel = old.clone().into();
    row.name = Set(checked.name.clone());
    row.enabled = Set(checked.enabled);
    row.config = Set(config_text(&checked)?);
    row.sealed = Set(seal(master, id, &checked.secrets)?);
    row.digest_minutes = Set(checked.digest_minutes);
    row.updated_at = Set(Utc::now());
    let saved = row.update(&txn).await?;
    let detail =
        format!("{} to {}{}", checked.kind, checked.config.target, if checked.enabled { "" } else { " (off)" });
    audit::record(
        &txn,
        actor,
        Event { action: "alert_channel.updated", target: &checked.name, success: true, detail: &detail },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Removes a channel and its delivery history.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> Result<(), ServiceError> {
    let txn = db.begin().await?;
    let old = get(&txn, id).await?;
    alert_channel::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Event { action: "alert_channel.deleted", target: &old.name, success: true, detail: &old.kind },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Re-seals every channel's secrets under `new` inside the master key rotation's transaction.
pub async fn reseal(db: &impl ConnectionTrait, old: &MasterKey, new: &MasterKey) -> Result<usize, ServiceError> {
    let channels = alert_channel::Entity::find().filter(alert_channel::Column::Sealed.is_not_null()).all(db).await?;
    for channel in &channels {
        let secrets = open(old, channel)?;
        let mut row: alert_channel::ActiveModel = channel.clone().into();
        row.sealed = Set(seal(new, channel.id, &secrets)?);
        row.update(db).await?;
    }
    Ok(channels.len())
}
