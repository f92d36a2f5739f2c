//! A key's rotation period: when its next rotation is due (a period after the key was made; a
//! rotation's successor is a new key, so it starts the count again), which keys are due soon, and
//! setting the period. The rotation domain starts rotations; this only says when.

use super::store::get_key;
use crate::server::entities::ssh_key;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::changes::Changes;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait,
};

/// How early the Dashboard warns.
pub const WARN_DAYS: i64 = 14;
const MIN_DAYS: i32 = 1;
const MAX_DAYS: i32 = 3650;

/// When `key`'s rotation is due, with a period.
pub fn due_at(key: &ssh_key::Model) -> Option<DateTime<Utc>> {
    key.rotation_period_days.map(|days| key.created_at + Duration::days(i64::from(days)))
}

/// Whole days from `now` until `key` is due (negative: overdue).
pub fn due_in_days(key: &ssh_key::Model, now: DateTime<Utc>) -> Option<i64> {
    due_at(key).map(|due| (due - now).num_days())
}

/// Keys with a period that are due within `WARN_DAYS` (or overdue), soonest first.
pub async fn due_soon(db: &impl ConnectionTrait) -> Result<Vec<ssh_key::Model>, ServiceError> {
    let now = Utc::now();
    let mut keys: Vec<_> = ssh_key::Entity::find()
        .filter(ssh_key::Column::RotationPeriodDays.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|k| due_in_days(k, now).is_some_and(|d| d <= WARN_DAYS))
        .collect();
    keys.sort_by_key(due_at);
    Ok(keys)
}

/// The kind of the notice on the alert channels.
pub const ROTATION_DUE: &str = "rotation_due";

/// What the notice says about `key`, due at `due`.
fn due_message(key: &ssh_key::Model, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let date = due.format("%Y-%m-%d");
    let days = (due - now).num_days();
    let when = match days {
        d if d < 0 || due <= now => format!("overdue for rotation since {date}"),
        0 => format!("due for rotation today ({date})"),
        d => format!("due for rotation on {date} (in {d} days)"),
    };
    let next = if key.auto_rotate { "it rotates by itself when due" } else { "rotate it from Settings → SSH keys" };
    format!("Key '{}' ({}) is {when}: {next}.", key.name, key.fingerprint)
}

/// Announces on the alert channels every key due within `WARN_DAYS` (or overdue) that was not
/// announced for this due date yet — once per due date, however often this runs — and returns
/// how many. A new period or a rotation (a new key) makes a new due date.
pub async fn announce_due(db: &DatabaseConnection) -> Result<usize, ServiceError> {
    let now = Utc::now();
    let mut announced = 0;
    for key in due_soon(db).await? {
        let Some(due) = due_at(&key) else { continue };
        if key.rotation_warned_for == Some(due) {
            continue;
        }
        let message = due_message(&key, due, now);
        let txn = db.begin().await?;
        crate::server::services::alerts::announce(&txn, ROTATION_DUE, &message).await?;
        let mut row: ssh_key::ActiveModel = key.into();
        row.rotation_warned_for = Set(Some(due));
        row.update(&txn).await?;
        txn.commit().await?;
        announced += 1;
    }
    Ok(announced)
}

/// Sets (or with None clears) `id`'s rotation period and whether it rotates by itself.
pub async fn set_rotation_period(
    db: &DatabaseConnection,
    changes: &Changes,
    actor: &Actor,
    id: i32,
    days: Option<i32>,
    auto_rotate: bool,
) -> Result<ssh_key::Model, ServiceError> {
    if days.is_some_and(|d| !(MIN_DAYS..=MAX_DAYS).contains(&d)) {
        return Err(ServiceError::invalid(
            "rotation_period_days",
            format!("A rotation period is {MIN_DAYS} to {MAX_DAYS} days, or empty for none."),
        ));
    }
    if auto_rotate && days.is_none() {
        return Err(ServiceError::invalid("auto_rotate", "Automatic rotation needs a rotation period."));
    }
    let existing = get_key(db, id).await?;
    let mut row: ssh_key::ActiveModel = existing.clone().into();
    row.rotation_period_days = Set(days);
    row.auto_rotate = Set(auto_rotate);
    row.updated_at = Set(Utc::now());
    let updated = row.update(db).await?;
    let detail = match days {
        Some(d) => format!("every {d} days{}", if auto_rotate { ", automatically" } else { "" }),
        None => "no rotation period".into(),
    };
    audit::record(
        db,
        actor,
        Event { action: "ssh_key.rotation_period", target: &updated.name, success: true, detail: &detail },
    )
    .await?;
    changes.touched();
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_due_its_period_after_it_was_made() {
        let made = DateTime::parse_from_rfc3339("2026-09-01T00:00:00Z").unwrap().to_utc();
        let key = ssh_key::Model {
            id: 1,
            name: "k".into(),
            description: String::new(),
            key_type: "ed25519".into(),
            bits: 256,
            public_key: String::new(),
            fingerprint: String::new(),
            private_key_enc: String::new(),
            system_slot: None,
            is_active: true,
            created_at: made,
            updated_at: made,
            last_used_at: None,
            rotation_period_days: Some(90),
            auto_rotate: false,
            rotation_warned_for: None,
        };
        assert_eq!(due_at(&key), Some(made + Duration::days(90)));
        assert_eq!(due_in_days(&key, made + Duration::days(80)), Some(10));
        assert_eq!(due_in_days(&key, made + Duration::days(95)), Some(-5));
        let due = made + Duration::days(90);
        let said = |now| due_message(&key, due, now);
        assert!(
            said(made + Duration::days(80))
                .ends_with("due for rotation on 2026-11-30 (in 10 days): rotate it from Settings → SSH keys.")
        );
        assert!(said(due - Duration::hours(1)).contains("due for rotation today (2026-11-30)"));
        assert!(said(due + Duration::hours(1)).contains("overdue for rotation since 2026-11-30"));
        let auto = ssh_key::Model { auto_rotate: true, ..key.clone() };
        assert!(due_message(&auto, due, made).ends_with("it rotates by itself when due."));
        assert_eq!(due_at(&ssh_key::Model { rotation_period_days: None, ..key }), None);
    }
}
