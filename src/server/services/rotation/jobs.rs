//! The rotation's rows: a job and one row per connection, written after every step so that a
//! restart resumes where the last run stopped, and read back as the view the page and API show.

use crate::model::{RotationCounts, RotationHostView, RotationView, host_state, rotation_state};
use crate::server::entities::{key_rotation, rotation_host, ssh_key};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::keys;
use crate::server::services::rfc3339;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

/// A job and its hosts, created in one transaction.
pub(super) async fn create(
    db: &impl TransactionTrait,
    actor: &Actor,
    old: &ssh_key::Model,
    new: Option<&ssh_key::Model>,
    connections: &[(i32, String)],
) -> Result<key_rotation::Model, ServiceError> {
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    let job = key_rotation::ActiveModel {
        old_key_id: Set(old.id),
        old_key_name: Set(old.name.clone()),
        old_fingerprint: Set(old.fingerprint.clone()),
        new_key_id: Set(new.map(|k| k.id)),
        new_fingerprint: Set(new.map(|k| k.fingerprint.clone())),
        state: Set(rotation_state::RUNNING.into()),
        dry_run: Set(new.is_none()),
        started_by: Set(actor.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (connection_id, label) in connections {
        rotation_host::ActiveModel {
            rotation_id: Set(job.id),
            connection_id: Set(*connection_id),
            label: Set(label.clone()),
            state: Set(host_state::PENDING.into()),
            reached: Set(host_state::PENDING.into()),
            detail: Set(None),
            manual: Set(false),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let (action, successor) = match new {
        Some(key) => ("rotation.started", key.fingerprint.as_str()),
        None => ("rotation.dry_run", "none (dry run)"),
    };
    let detail = format!("rotation {}: {} → {successor}; {} connection(s)", job.id, old.fingerprint, connections.len());
    audit::record(&txn, actor, Event { action, target: &old.name, success: true, detail: &detail }).await?;
    txn.commit().await?;
    Ok(job)
}

pub(super) async fn get(db: &impl ConnectionTrait, id: i32) -> Result<key_rotation::Model, ServiceError> {
    key_rotation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("Rotation not found.".into()))
}

pub(super) async fn hosts(db: &impl ConnectionTrait, id: i32) -> Result<Vec<rotation_host::Model>, ServiceError> {
    Ok(rotation_host::Entity::find()
        .filter(rotation_host::Column::RotationId.eq(id))
        .order_by_asc(rotation_host::Column::Id)
        .all(db)
        .await?)
}

/// Where a host got to. `reached` stays at the last good state when this is a failure.
pub(super) struct HostUpdate<'a> {
    pub state: &'a str,
    pub reached: &'a str,
    pub detail: Option<String>,
    pub manual: bool,
}

/// Records a host's new state and returns the row as written; a final one (cleaned, failed,
/// skipped, rolled back) also goes to the audit log.
pub(super) async fn set_host(
    db: &impl ConnectionTrait,
    job: &key_rotation::Model,
    host: &rotation_host::Model,
    update: HostUpdate<'_>,
) -> Result<rotation_host::Model, ServiceError> {
    let mut row: rotation_host::ActiveModel = host.clone().into();
    row.state = Set(update.state.into());
    row.reached = Set(update.reached.into());
    row.detail = Set(update.detail.clone());
    row.manual = Set(update.manual);
    row.updated_at = Set(chrono::Utc::now());
    let written = row.update(db).await?;
    if [host_state::CLEANED, host_state::FAILED, host_state::SKIPPED, host_state::ROLLED_BACK].contains(&update.state) {
        let detail = format!(
            "rotation {}: {} {} → {}{}",
            job.id,
            update.state,
            job.old_fingerprint,
            job.new_fingerprint.as_deref().unwrap_or("none"),
            update.detail.map(|d| format!("; {d}")).unwrap_or_default()
        );
        let event = Event {
            action: "rotation.host",
            target: &host.label,
            success: update.state != host_state::FAILED,
            detail: &detail,
        };
        audit::record(db, &crate::server::services::audit::Actor::system(), event).await?;
    }
    Ok(written)
}

/// Moves the job from `from` to `to`; false when it was not in `from` (another run took it).
pub(super) async fn transition(db: &impl ConnectionTrait, id: i32, from: &str, to: &str) -> Result<bool, ServiceError> {
    let now = chrono::Utc::now();
    let finished = (to != rotation_state::RUNNING && to != rotation_state::ROLLING_BACK).then_some(now);
    let result = key_rotation::Entity::update_many()
        .col_expr(key_rotation::Column::State, Expr::value(to))
        .col_expr(key_rotation::Column::UpdatedAt, Expr::value(now))
        .col_expr(key_rotation::Column::FinishedAt, Expr::value(finished))
        .filter(key_rotation::Column::Id.eq(id))
        .filter(key_rotation::Column::State.eq(from))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Rotations of a key that are still running, rolling back or need attention (a second one would make a second
/// successor).
pub(super) async fn unfinished(
    db: &impl ConnectionTrait,
    key_id: i32,
) -> Result<Option<key_rotation::Model>, ServiceError> {
    Ok(key_rotation::Entity::find()
        .filter(key_rotation::Column::OldKeyId.eq(key_id))
        .filter(key_rotation::Column::DryRun.eq(false))
        .filter(key_rotation::Column::State.is_in([
            rotation_state::RUNNING,
            rotation_state::ATTENTION,
            rotation_state::ROLLING_BACK,
        ]))
        .one(db)
        .await?)
}

/// Jobs a stop interrupted, going forward or rolling back.
pub(super) async fn interrupted(db: &impl ConnectionTrait) -> Result<Vec<key_rotation::Model>, ServiceError> {
    Ok(key_rotation::Entity::find()
        .filter(key_rotation::Column::State.is_in([rotation_state::RUNNING, rotation_state::ROLLING_BACK]))
        .all(db)
        .await?)
}

fn count(hosts: &[RotationHostView]) -> RotationCounts {
    let of = |state: &str| hosts.iter().filter(|h| h.state == state).count();
    RotationCounts {
        total: hosts.len(),
        pending: of(host_state::PENDING),
        in_progress: of(host_state::STAGED) + of(host_state::VERIFIED) + of(host_state::SWITCHED),
        cleaned: of(host_state::CLEANED),
        failed: of(host_state::FAILED),
        skipped: of(host_state::SKIPPED),
        checked: of(host_state::CHECKED),
        rolled_back: of(host_state::ROLLED_BACK),
    }
}

/// The steps by hand for a host Keyhaven could not edit: the new key's line to add, the old one to take out.
fn manual_steps(job: &key_rotation::Model, new_line: Option<&str>, host: &rotation_host::Model) -> Option<String> {
    let line = new_line.filter(|_| host.manual && host.state != host_state::CLEANED)?;
    Some(format!(
        "On {}: add this line to ~/.ssh/authorized_keys: {}, check that it logs in, then remove the line of the old key \
         {} and retry (or deploy the new key with a one-time password here).",
        host.label,
        line.trim(),
        job.old_fingerprint
    ))
}

fn host_view(host: rotation_host::Model, steps: Option<String>) -> RotationHostView {
    RotationHostView {
        connection_id: host.connection_id,
        connection: host.label,
        state: host.state,
        reached: host.reached,
        detail: host.detail,
        needs_manual_step: host.manual,
        manual_steps: steps,
        updated_at: rfc3339(&host.updated_at),
    }
}

/// A rotation with its hosts, as the page and the API show it.
pub async fn view(db: &impl ConnectionTrait, id: i32) -> Result<RotationView, ServiceError> {
    let job = get(db, id).await?;
    let new_line = match job.new_key_id {
        Some(key_id) => keys::get_key(db, key_id).await.ok().map(|k| k.public_key),
        None => None,
    };
    let hosts: Vec<RotationHostView> = hosts(db, id)
        .await?
        .into_iter()
        .map(|h| {
            let steps = manual_steps(&job, new_line.as_deref(), &h);
            host_view(h, steps)
        })
        .collect();
    Ok(RotationView {
        id: job.id,
        state: job.state,
        dry_run: job.dry_run,
        old_key_id: job.old_key_id,
        old_key_name: job.old_key_name,
        old_fingerprint: job.old_fingerprint,
        new_key_id: job.new_key_id,
        new_fingerprint: job.new_fingerprint,
        started_by: job.started_by,
        created_at: rfc3339(&job.created_at),
        finished_at: job.finished_at.as_ref().map(rfc3339),
        counts: count(&hosts),
        hosts,
    })
}

/// Every rotation, newest first (hosts left out; `view` has them).
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<RotationView>, ServiceError> {
    let jobs = key_rotation::Entity::find().order_by_desc(key_rotation::Column::Id).all(db).await?;
    let mut views = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut one = view(db, job.id).await?;
        one.hosts.clear();
        views.push(one);
    }
    Ok(views)
}
