//! Managed SSH keys: one system key (the default identity) and any number of named keys.
//! Private keys are sealed under the master key before they touch the database.

use super::usage::usage;
use crate::model::SshKeyView;
use crate::server::entities::ssh_key;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::{Change, Changes};
use crate::server::ssh::error::SshError;
use crate::server::ssh::keys::{self, KeyMaterial, KeySpec};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr, TransactionTrait, TryIntoModel,
};
use zeroize::Zeroizing;

pub const SYSTEM_SLOT: i32 = 1;
pub const DEFAULT_SYSTEM_NAME: &str = "System SSH Key";
const MAX_DESCRIPTION: usize = 500;

/// Named keys: `[A-Za-z0-9_-]{1,64}`. The system key may also contain spaces, because Borg UI
/// clients name it "System SSH Key". Neither may contain `/` or `.`, so a name is never a path.
pub fn validate_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    // Letters and digits of any script (Borg UI's German frontend names the system key
    // "System-SSH-Schlüssel"), single spaces, '_' and '-'. No '.', '/', control or invisible
    // characters: a name is shown everywhere and must not pass for another one.
    let allowed = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ';
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Key name is required."));
    }
    if name.chars().count() > 64 || !name.chars().all(allowed) || name.contains("  ") {
        return Err(ServiceError::invalid(
            "name",
            "Key name must be 1–64 characters: letters of any script, digits, single spaces, '_' and '-'.",
        ));
    }
    Ok(name.to_string())
}

fn validate_description(raw: &str) -> Result<String, ServiceError> {
    let text = raw.trim();
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(ServiceError::invalid(
            "description",
            format!("Description must be at most {MAX_DESCRIPTION} characters."),
        ));
    }
    Ok(text.to_string())
}

/// Maps key-material errors to the field the user must fix.
pub fn key_error(field: &'static str, err: SshError) -> ServiceError {
    match err {
        SshError::WrongPassphrase | SshError::PassphraseRequired => {
            ServiceError::invalid("passphrase", err.to_string())
        }
        SshError::PublicKeyMismatch => ServiceError::invalid("public_key", err.to_string()),
        SshError::BadComment { .. } => ServiceError::invalid("comment", format!("{}.", capitalise(&err.to_string()))),
        SshError::Generation(detail) => ServiceError::Internal(format!("key generation: {detail}")),
        other => ServiceError::invalid(field, format!("{}{}", capitalise(&other.to_string()), ".")),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What a new key is and where it comes from.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub system: bool,
    /// The `.pub` comment; generated keys default to `keyhaven-<name>`, imported keys keep theirs.
    pub comment: Option<&'a str>,
}

impl<'a> NewKey<'a> {
    pub fn new(name: &'a str, description: &'a str, system: bool) -> Self {
        NewKey { name, description, system, comment: None }
    }
}

const MAX_COMMENT: usize = 255;

/// A comment is one printable line: it ends up after the key in `authorized_keys`.
fn validate_comment(raw: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(text) = raw.map(str::trim).filter(|c| !c.is_empty()) else { return Ok(None) };
    if text.chars().count() > MAX_COMMENT || text.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "comment",
            format!("Comment must be one line of at most {MAX_COMMENT} printable characters."),
        ));
    }
    Ok(Some(text.to_string()))
}

/// Generates a key in process. Generation happens before any write; the unique system slot makes
/// concurrent system-key requests end with exactly one key.
pub async fn generate(
    db: &DatabaseConnection,
    changes: &Changes,
    master: &MasterKey,
    actor: &Actor,
    new: NewKey<'_>,
    spec: KeySpec,
) -> Result<ssh_key::Model, ServiceError> {
    let name = validate_name(new.name)?;
    let description = validate_description(new.description)?;
    if new.system && system_key(db).await?.is_some() {
        return Err(system_exists());
    }
    let comment = validate_comment(new.comment)?
        .unwrap_or_else(|| format!("keyhaven-{}", name.replace(' ', "-").to_ascii_lowercase()));
    let material = keys::generate(spec, &comment).await.map_err(|e| key_error("key_type", e))?;
    let saved = store_key(db, master, actor, &name, &description, new.system, material, "ssh_key.generated").await?;
    changes.publish(&[Change::Key(saved.id)]).await;
    Ok(saved)
}

/// Imports a private key given as text (pasted or uploaded), optionally checking a public key.
#[allow(clippy::too_many_arguments)]
pub async fn import_text(
    db: &DatabaseConnection,
    changes: &Changes,
    master: &MasterKey,
    actor: &Actor,
    new: NewKey<'_>,
    private_key: &str,
    passphrase: Option<&str>,
    public_key: Option<&str>,
) -> Result<ssh_key::Model, ServiceError> {
    let name = validate_name(new.name)?;
    let description = validate_description(new.description)?;
    let comment = validate_comment(new.comment)?;
    if private_key.trim().is_empty() {
        return Err(ServiceError::invalid("private_key", "Private key is required."));
    }
    if private_key.len() > 64 * 1024 {
        return Err(ServiceError::invalid("private_key", "This is too large to be an SSH private key."));
    }
    let material =
        keys::import_private(private_key, passphrase, comment.as_deref()).map_err(|e| key_error("private_key", e))?;
    if let Some(public) = public_key.map(str::trim).filter(|p| !p.is_empty()) {
        keys::public_matches(&material, public).map_err(|e| match e {
            SshError::PublicKeyMismatch => key_error("public_key", e),
            other => ServiceError::invalid("public_key", format!("The public key could not be read: {other}.")),
        })?;
    }
    if new.system && system_key(db).await?.is_some() {
        return Err(system_exists());
    }
    let saved = store_key(db, master, actor, &name, &description, new.system, material, "ssh_key.imported").await?;
    changes.publish(&[Change::Key(saved.id)]).await;
    Ok(saved)
}

fn system_exists() -> ServiceError {
    ServiceError::conflict("name", "A system SSH key already exists; delete it first or add a named key.")
}

/// Seals and saves a key made or read elsewhere, without a change notice: `db` may be a transaction
/// (quick setup saves the key and its connection together, and publishes once it has committed).
#[allow(clippy::too_many_arguments)]
pub async fn store_key(
    db: &impl TransactionTrait,
    master: &MasterKey,
    actor: &Actor,
    name: &str,
    description: &str,
    system: bool,
    material: KeyMaterial,
    action: &str,
) -> Result<ssh_key::Model, ServiceError> {
    let sealed = master
        .seal(material.private_openssh.as_bytes(), &aad(&material.fingerprint_sha256))
        .map_err(|e| ServiceError::Internal(format!("sealing key: {e}")))?;
    let now = chrono::Utc::now();
    let row = ssh_key::ActiveModel {
        name: Set(name.to_string()),
        description: Set(description.to_string()),
        key_type: Set(material.key_type.to_string()),
        bits: Set(i32::try_from(material.bits).unwrap_or(0)),
        public_key: Set(material.public_openssh.clone()),
        fingerprint: Set(material.fingerprint_sha256.clone()),
        private_key_enc: Set(sealed),
        system_slot: Set(system.then_some(SYSTEM_SLOT)),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_used_at: Set(None),
        rotation_period_days: Set(None),
        auto_rotate: Set(false),
        ..Default::default()
    };
    let txn = db.begin().await?;
    let saved = row.insert(&txn).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => unique_violation(&detail, name, system),
        _ => err.into(),
    })?;
    let detail =
        format!("{} {} {}{}", saved.key_type, saved.bits, saved.fingerprint, if system { " (system key)" } else { "" });
    audit::record(&txn, actor, Event { action, target: &saved.name, success: true, detail: &detail }).await?;
    txn.commit().await?;
    Ok(saved)
}

fn unique_violation(detail: &str, name: &str, system: bool) -> ServiceError {
    if detail.contains("fingerprint") {
        ServiceError::conflict("private_key", "This key is already stored in Keyhaven.")
    } else if system && detail.contains("system_slot") {
        system_exists()
    } else {
        ServiceError::conflict("name", format!("A key named '{name}' already exists."))
    }
}

/// Associated data that binds a sealed private key to its key.
pub fn aad(fingerprint: &str) -> String {
    format!("ssh_key:{fingerprint}")
}

pub async fn system_key(db: &impl ConnectionTrait) -> Result<Option<ssh_key::Model>, ServiceError> {
    Ok(ssh_key::Entity::find().filter(ssh_key::Column::SystemSlot.eq(SYSTEM_SLOT)).one(db).await?)
}

pub async fn get_key(db: &impl ConnectionTrait, id: i32) -> Result<ssh_key::Model, ServiceError> {
    ssh_key::Entity::find_by_id(id).one(db).await?.ok_or_else(|| ServiceError::NotFound("SSH key not found.".into()))
}

/// The system key first, then named keys by name.
pub async fn list_keys(db: &impl ConnectionTrait) -> Result<Vec<ssh_key::Model>, ServiceError> {
    let mut all = ssh_key::Entity::find().order_by_asc(ssh_key::Column::Name).all(db).await?;
    all.sort_by_key(|k| k.system_slot.is_none());
    Ok(all)
}

pub async fn to_view(db: &impl ConnectionTrait, key: &ssh_key::Model) -> Result<SshKeyView, ServiceError> {
    let (connection_count, active_connections) = usage(db, key.id).await?;
    Ok(SshKeyView {
        id: key.id,
        name: key.name.clone(),
        description: key.description.clone(),
        key_type: key.key_type.clone(),
        bits: key.bits,
        public_key: key.public_key.clone(),
        comment: key.public_key.splitn(3, ' ').nth(2).unwrap_or_default().trim().to_string(),
        fingerprint: key.fingerprint.clone(),
        is_system_key: key.system_slot.is_some(),
        is_active: key.is_active,
        created_at: crate::server::services::rfc3339(&key.created_at),
        updated_at: crate::server::services::rfc3339(&key.updated_at),
        last_used_at: key.last_used_at.as_ref().map(crate::server::services::rfc3339),
        connection_count,
        active_connections,
        rotation_period_days: key.rotation_period_days,
        auto_rotate: key.auto_rotate,
        rotation_due_at: super::due_at(key).as_ref().map(crate::server::services::rfc3339),
        rotation_due_in_days: super::due_in_days(key, chrono::Utc::now()),
    })
}

/// Changes name, description or the active flag.
pub async fn update_key(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    id: i32,
    name: Option<&str>,
    description: Option<&str>,
    is_active: Option<bool>,
) -> Result<ssh_key::Model, ServiceError> {
    let existing = get_key(db, id).await?;
    let mut model: ssh_key::ActiveModel = existing.clone().into();
    if let Some(n) = name {
        model.name = Set(validate_name(n)?);
    }
    if let Some(d) = description {
        model.description = Set(validate_description(d)?);
    }
    if let Some(a) = is_active {
        model.is_active = Set(a);
    }
    if !model.is_changed() || model.clone().try_into_model().is_ok_and(|candidate| candidate == existing) {
        // Nothing changes: nothing is written or recorded.
        return Ok(existing);
    }
    model.updated_at = Set(chrono::Utc::now());
    let txn = db.begin().await?;
    let updated = model.update(&txn).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(d)) => unique_violation(&d, name.unwrap_or_default(), false),
        _ => err.into(),
    })?;
    let action = if updated.name != existing.name { "ssh_key.renamed" } else { "ssh_key.updated" };
    let detail = if updated.name != existing.name { format!("was {}", existing.name) } else { String::new() };
    audit::record(&txn, actor, Event { action, target: &updated.name, success: true, detail: &detail }).await?;
    txn.commit().await?;
    // The name shows in the lists of connections; no file holds it.
    changes.touched();
    Ok(updated)
}

/// The private key in memory, for the moment it is used. Never written anywhere.
pub fn open_private_key(master: &MasterKey, key: &ssh_key::Model) -> Result<Zeroizing<String>, ServiceError> {
    let bytes = master
        .open(&key.private_key_enc, &aad(&key.fingerprint))
        .map_err(|e| ServiceError::Internal(format!("opening key {}: {e}", key.id)))?;
    String::from_utf8(bytes.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| ServiceError::Internal("sealed key is not text".into()))
}

/// Deletes a key's row and records it, inside the caller's transaction (the connections domain
/// detaches the connections that used it in the same transaction, then publishes the change).
pub async fn remove_key(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    existing: &ssh_key::Model,
    connections_affected: usize,
) -> Result<(), ServiceError> {
    ssh_key::Entity::delete_by_id(existing.id).exec(txn).await?;
    let detail =
        format!("{} {}; {connections_affected} connection(s) affected", existing.key_type, existing.fingerprint);
    audit::record(
        txn,
        actor,
        Event { action: "ssh_key.deleted", target: &existing.name, success: true, detail: &detail },
    )
    .await?;
    Ok(())
}
