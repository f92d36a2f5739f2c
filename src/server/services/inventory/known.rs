//! What Keyhaven knows of keys, by fingerprint, for the classification: its own keys, people's
//! public keys and repositories' deploy keys, keys it retired by rotation, and operators' notes.
//! Read straight from their tables (reading crosses no domain's door: only writing belongs to one
//! domain).

use super::classify::{Holder, Known};
use crate::model::class;
use crate::server::entities::{inventory_note, key_rotation, public_key, repository, ssh_key, user};
use crate::server::error::ServiceError;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use std::collections::HashMap;

/// Every fingerprint Keyhaven can name, the strongest claim winning: its own keys, then people's
/// and deploy keys, then notes, then keys it retired (whose lines a rotation removes).
pub async fn known(db: &impl ConnectionTrait) -> Result<Known, ServiceError> {
    let users: HashMap<i32, String> =
        user::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u.username)).collect();
    let repositories: HashMap<i32, String> = repository::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, format!("{}/{}", users.get(&r.owner_id).map_or("?", String::as_str), r.name)))
        .collect();
    let mut known = Known::new();
    let rotations: Vec<(i32, String, Option<String>)> = key_rotation::Entity::find()
        .select_only()
        .columns([key_rotation::Column::Id, key_rotation::Column::OldFingerprint, key_rotation::Column::NewFingerprint])
        .into_tuple()
        .all(db)
        .await?;
    for (id, old, new) in rotations {
        for fingerprint in std::iter::once(old).chain(new) {
            let name = format!("retired by key rotation {id}");
            known.insert(fingerprint, Holder { class: class::OTHER_KEYHAVEN, name });
        }
    }
    for note in inventory_note::Entity::find().all(db).await? {
        known.insert(note.fingerprint, Holder { class: class::NOTED, name: note.note });
    }
    for key in public_key::Entity::find().all(db).await? {
        let holder = match (key.user_id, key.repository_id) {
            (_, Some(repo)) => Holder {
                class: class::DEPLOY_KEY,
                name: format!("{} ({})", repositories.get(&repo).map_or("?", String::as_str), key.title),
            },
            (Some(owner), None) => Holder {
                class: class::PERSON,
                name: format!("{} ({})", users.get(&owner).map_or("?", String::as_str), key.title),
            },
            (None, None) => continue,
        };
        known.insert(key.fingerprint, holder);
    }
    // Ours win over a person's copy of the same key.
    for key in ssh_key::Entity::find().all(db).await? {
        known.insert(key.fingerprint, Holder { class: class::KEYHAVEN, name: key.name });
    }
    Ok(known)
}
