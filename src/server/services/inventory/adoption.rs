//! Adopting a line the inventory found: its key imported as a person's public key (so every host
//! then shows whose it is, and `/{user}.keys` serves it), or only noted ("Hetzner's rescue
//! key"). Either way nothing on the host changes; the line must be in the connection's newest
//! read, so an operator adopts what the page showed and not a line typed from memory.

use super::reads::latest;
use super::removal::checked;
use crate::model::{InventoryNote, InventoryView};
use crate::server::entities::inventory_note;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::public_keys::{KeyListCache, KeyOwner, NewPublicKey, add_key};
use crate::server::services::{accounts, rfc3339};
use crate::server::ssh::authorized_lines::{Entry, KeyEntry, parse};
use crate::server::ssh::public_key::KeyPolicy;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

/// The longest note (the column holds 500 characters).
pub const MAX_NOTE: usize = 500;

/// What becomes of the line's key.
pub enum Adoption<'a> {
    /// Imported as `username`'s public key, titled `title` (or the key's comment).
    Person { username: &'a str, title: Option<&'a str> },
    /// Noted with this text.
    Note(&'a str),
}

impl<'a> Adoption<'a> {
    /// The adoption a form or request asks for: `user` (with an optional `title`) or `note`, never
    /// both; blank counts as not given.
    pub fn asked(
        user: Option<&'a str>,
        title: Option<&'a str>,
        note: Option<&'a str>,
    ) -> Result<Adoption<'a>, ServiceError> {
        let given = |v: Option<&'a str>| v.filter(|v| !v.trim().is_empty());
        match (given(user), given(note)) {
            (Some(username), None) => Ok(Adoption::Person { username, title }),
            (None, Some(note)) => Ok(Adoption::Note(note)),
            (Some(_), Some(_)) => {
                Err(ServiceError::invalid("note", "Give either user (import the key) or note, not both."))
            }
            (None, None) => {
                Err(ServiceError::invalid("user", "Give user (import the key as theirs) or note (note whose it is)."))
            }
        }
    }
}

/// The services an import needs (the public keys domain's cache and the key policy).
pub struct Importing<'a> {
    pub cache: &'a KeyListCache,
    pub policy: &'a KeyPolicy,
}

/// The key of `line`, when it is a key line of connection `id`'s newest read, and the
/// connection's label.
async fn key_of(db: &DatabaseConnection, id: i32, line: &str) -> Result<(KeyEntry, String), ServiceError> {
    let line = checked(line)?;
    let view = latest(db, id).await?.ok_or_else(|| {
        ServiceError::conflict("line", "This connection's authorized_keys has not been read yet; read it first.")
    })?;
    if !view.lines.iter().any(|l| l.kind == "key" && l.text == line) {
        return Err(ServiceError::conflict("line", "This line is not in the newest read; read the file again."));
    }
    match parse(line.as_bytes()).into_iter().next().map(|l| l.entry) {
        Some(Entry::Key(key)) => Ok((key, view.connection)),
        _ => Err(ServiceError::invalid("line", "This line lets no key in.")),
    }
}

fn note_text(raw: &str) -> Result<String, ServiceError> {
    let note = raw.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE || note.chars().any(char::is_control) {
        return Err(ServiceError::invalid("note", format!("A note is one line of 1 to {MAX_NOTE} characters.")));
    }
    Ok(note.to_string())
}

/// Adopts the key of `line` (a line of connection `id`'s newest read) and answers the read again
/// classified, where the line now shows its holder. Nothing on the host changes.
pub async fn adopt(
    db: &DatabaseConnection,
    importing: Importing<'_>,
    actor: &Actor,
    id: i32,
    line: &str,
    how: Adoption<'_>,
) -> Result<InventoryView, ServiceError> {
    let (key, label) = key_of(db, id, line).await?;
    let detail = match how {
        Adoption::Person { username, title } => {
            let owner = accounts::find_by_username(db, username).await?.ok_or_else(|| {
                ServiceError::invalid("user", format!("There is no user named {:?}.", username.trim()))
            })?;
            let text = format!("{} {}", key.key, key.comment);
            let new =
                NewPublicKey { title: title.filter(|t| !t.trim().is_empty()), key: Some(&text), read_only: false };
            let saved =
                add_key(db, importing.cache, importing.policy, actor, KeyOwner::User(owner.id), new, &owner.username)
                    .await?;
            format!("{} {} as {}'s key {:?}", key.key_type, key.fingerprint, owner.username, saved.title)
        }
        Adoption::Note(raw) => {
            let note = note_text(raw)?;
            let row = inventory_note::ActiveModel {
                fingerprint: Set(key.fingerprint.clone()),
                note: Set(note.clone()),
                noted_by: Set(actor.name.clone()),
                noted_at: Set(chrono::Utc::now()),
                ..Default::default()
            };
            inventory_note::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(inventory_note::Column::Fingerprint)
                        .update_columns([
                            inventory_note::Column::Note,
                            inventory_note::Column::NotedBy,
                            inventory_note::Column::NotedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
            format!("{} {} noted: {note}", key.key_type, key.fingerprint)
        }
    };
    audit::record(db, actor, Event { action: "inventory.adopted", target: &label, success: true, detail: &detail })
        .await?;
    latest(db, id).await?.ok_or_else(|| ServiceError::NotFound("Connection not found.".into()))
}

/// Every note, newest first.
pub async fn notes(db: &DatabaseConnection) -> Result<Vec<InventoryNote>, ServiceError> {
    let rows = inventory_note::Entity::find().order_by_desc(inventory_note::Column::NotedAt).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|n| InventoryNote {
            fingerprint: n.fingerprint,
            note: n.note,
            noted_by: n.noted_by,
            noted_at: rfc3339(&n.noted_at),
        })
        .collect())
}

/// Forgets the note on `fingerprint`: its key shows as unknown again (404 when there is none).
pub async fn forget_note(db: &DatabaseConnection, actor: &Actor, fingerprint: &str) -> Result<(), ServiceError> {
    let gone = inventory_note::Entity::delete_many()
        .filter(inventory_note::Column::Fingerprint.eq(fingerprint.trim()))
        .exec(db)
        .await?;
    if gone.rows_affected == 0 {
        return Err(ServiceError::NotFound("There is no note on this fingerprint.".into()));
    }
    let event = Event { action: "inventory.note_forgotten", target: fingerprint.trim(), success: true, detail: "" };
    audit::record(db, actor, event).await
}
