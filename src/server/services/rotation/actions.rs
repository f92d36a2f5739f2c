//! What an operator does with a rotation that needs attention: retry the failed connections from
//! where each stopped, skip one (it stays on the old key), deploy the new key to one with a
//! one-time password (then the rotation goes on), roll everything back, or retire the old key
//! anyway. Each is refused (409 naming `state`) unless the rotation waits for attention, so two
//! clicks never start two runs.

use super::jobs::{self, HostUpdate};
use super::{Rotator, rollback, runner};
use crate::model::{RotationView, host_state, rotation_state};
use crate::server::entities::{key_rotation, rotation_host};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::{connections, keys};

async fn waiting(ctx: &Rotator, id: i32) -> Result<key_rotation::Model, ServiceError> {
    let job = jobs::get(&ctx.db, id).await?;
    if job.state != rotation_state::ATTENTION {
        return Err(ServiceError::conflict(
            "state",
            format!("Rotation {id} is {}; only a rotation that needs attention can be changed.", job.state),
        ));
    }
    Ok(job)
}

async fn host_of(
    ctx: &Rotator,
    job: &key_rotation::Model,
    connection_id: i32,
) -> Result<rotation_host::Model, ServiceError> {
    jobs::hosts(&ctx.db, job.id)
        .await?
        .into_iter()
        .find(|h| h.connection_id == connection_id)
        .ok_or_else(|| ServiceError::NotFound("This connection is not part of the rotation.".into()))
}

async fn record(
    ctx: &Rotator,
    actor: &Actor,
    job: &key_rotation::Model,
    action: &str,
    detail: &str,
) -> Result<(), ServiceError> {
    let detail = format!("rotation {}: {detail}", job.id);
    audit::record(&ctx.db, actor, Event { action, target: &job.old_key_name, success: true, detail: &detail }).await
}

/// Runs the job again if it still waits (the caller changed some hosts first).
async fn go_on(ctx: &Rotator, job: &key_rotation::Model) -> Result<RotationView, ServiceError> {
    if jobs::transition(&ctx.db, job.id, rotation_state::ATTENTION, rotation_state::RUNNING).await? {
        tokio::spawn(runner::run(ctx.clone(), job.id));
    }
    jobs::view(&ctx.db, job.id).await
}

/// Every failed connection goes on from the last state it reached.
pub async fn retry(ctx: &Rotator, actor: &Actor, id: i32) -> Result<RotationView, ServiceError> {
    let job = waiting(ctx, id).await?;
    let failed: Vec<_> =
        jobs::hosts(&ctx.db, id).await?.into_iter().filter(|h| h.state == host_state::FAILED).collect();
    for host in &failed {
        let update = HostUpdate { state: &host.reached, reached: &host.reached, detail: None, manual: false };
        jobs::set_host(&ctx.db, &job, host, update).await?;
    }
    record(ctx, actor, &job, "rotation.retried", &format!("{} connection(s) retried", failed.len())).await?;
    go_on(ctx, &job).await
}

/// Leaves connection `connection_id` out: it stays on the old key (so the old key stays too).
pub async fn skip(ctx: &Rotator, actor: &Actor, id: i32, connection_id: i32) -> Result<RotationView, ServiceError> {
    let job = waiting(ctx, id).await?;
    let host = host_of(ctx, &job, connection_id).await?;
    if host.state != host_state::FAILED && host.state != host_state::PENDING {
        return Err(ServiceError::conflict("connection_id", "Only a failed or waiting connection can be skipped."));
    }
    let detail = Some(format!("skipped by {}: it stays on the old key until it is moved by hand", actor.name));
    let update = HostUpdate { state: host_state::SKIPPED, reached: &host.reached, detail, manual: host.manual };
    jobs::set_host(&ctx.db, &job, &host, update).await?;
    jobs::view(&ctx.db, id).await
}

/// Installs the new key on connection `connection_id` with a one-time password (a host where the
/// old key cannot edit), then lets the rotation switch and clean it. The password is used for this
/// login only: never stored, logged or audited.
pub async fn deploy_with_password(
    ctx: &Rotator,
    actor: &Actor,
    id: i32,
    connection_id: i32,
    password: &str,
) -> Result<RotationView, ServiceError> {
    if password.is_empty() {
        return Err(ServiceError::invalid("password", "Password is required."));
    }
    let job = waiting(ctx, id).await?;
    let host = host_of(ctx, &job, connection_id).await?;
    if host.state != host_state::FAILED || ![host_state::PENDING, host_state::STAGED].contains(&host.reached.as_str()) {
        return Err(ServiceError::conflict(
            "connection_id",
            "Only a connection that failed before its switch needs this.",
        ));
    }
    let conn = connections::get(&ctx.db, connection_id).await?;
    let pair =
        runner::open_pair(ctx, &job).await?.ok_or_else(|| ServiceError::NotFound("The old key is gone.".into()))?;
    let (new, new_private, new_line) =
        pair.new.as_ref().ok_or_else(|| ServiceError::conflict("state", "A dry run has no new key."))?;
    let target = connections::connection_target(&ctx.db, &conn).await?;
    let deploy = connections::Deploy {
        target: &target,
        key: new_private,
        public_line: new_line,
        password,
        use_sftp: conn.use_sftp_mode,
        progress_key: None,
    };
    if let Err(failure) = connections::install(&ctx.gate, deploy).await {
        let update = HostUpdate {
            state: host_state::FAILED,
            reached: &host.reached,
            detail: Some(format!("deploying with a password failed: {}", failure.error)),
            manual: true,
        };
        jobs::set_host(&ctx.db, &job, &host, update).await?;
        return Err(failure.error);
    }
    let detail = Some("the new key was deployed with a one-time password and logs in".to_string());
    let update = HostUpdate { state: host_state::VERIFIED, reached: host_state::VERIFIED, detail, manual: false };
    jobs::set_host(&ctx.db, &job, &host, update).await?;
    record(ctx, actor, &job, "rotation.deployed_with_password", &format!("{} on {}", new.fingerprint, host.label))
        .await?;
    go_on(ctx, &job).await
}

/// Every connection goes back to the old key and the new key's lines are removed (see `rollback`).
pub async fn roll_back(ctx: &Rotator, actor: &Actor, id: i32) -> Result<RotationView, ServiceError> {
    let job = waiting(ctx, id).await?;
    if !jobs::transition(&ctx.db, id, rotation_state::ATTENTION, rotation_state::ROLLING_BACK).await? {
        return Err(ServiceError::conflict("state", "The rotation changed meanwhile; reload it."));
    }
    record(ctx, actor, &job, "rotation.rolling_back", &job.old_fingerprint).await?;
    tokio::spawn(rollback::run(ctx.clone(), id));
    jobs::view(&ctx.db, id).await
}

/// Retires the old key now: connections still on it move to the new key without proof (their
/// hosts need the new key's line by hand, shown on each), and the new key takes the old one's place.
pub async fn retire(ctx: &Rotator, actor: &Actor, id: i32) -> Result<RotationView, ServiceError> {
    let job = waiting(ctx, id).await?;
    let new_id = job.new_key_id.ok_or_else(|| ServiceError::conflict("state", "A dry run has no new key."))?;
    let hosts = jobs::hosts(&ctx.db, id).await?;
    let users = connections::key_users(&ctx.db, job.old_key_id).await?;
    for user in &users {
        connections::switch_key(&ctx.db, &ctx.changes, actor, user.connection_id, job.old_key_id, new_id).await?;
        if let Some(host) = hosts.iter().find(|h| h.connection_id == user.connection_id) {
            let detail = Some(
                "moved to the new key without proof when the old key was retired: add the new key's line on the host"
                    .to_string(),
            );
            let update = HostUpdate { state: host_state::SKIPPED, reached: &host.reached, detail, manual: true };
            jobs::set_host(&ctx.db, &job, host, update).await?;
        }
    }
    keys::succeed(&ctx.db, &ctx.changes, actor, job.old_key_id, new_id).await?;
    jobs::transition(&ctx.db, id, rotation_state::ATTENTION, rotation_state::FINISHED).await?;
    record(ctx, actor, &job, "rotation.retired_anyway", &format!("{} connection(s) moved without proof", users.len()))
        .await?;
    jobs::view(&ctx.db, id).await
}
