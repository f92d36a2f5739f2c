//! Drives a rotation: every connection through stage → verify → switch in parallel within the SSH
//! slots (one failing host never holds up the others), then the clean-ups, then the verdict. An
//! account that another connection still reaches with the old key keeps the old line. Run after a
//! start, after a restart (state `running`), and after a retry; every step is written as it
//! happens, so the page and the API watch the rows.

use super::Rotator;
use super::jobs::{self, HostUpdate};
use super::steps::{self, Failure, Pair, Step};
use crate::model::{host_state, rotation_state};
use crate::server::entities::{key_rotation, rotation_host};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::{connections, keys};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Runs job `id` to its verdict; a failure of Keyhaven itself (the database) is logged, and the job
/// stays `running` to be resumed.
pub(super) async fn run(ctx: Rotator, id: i32) {
    if let Err(err) = drive(&ctx, id).await {
        tracing::error!(rotation = id, error = %err, "key rotation stopped; it resumes at the next start");
    }
}

async fn drive(ctx: &Rotator, id: i32) -> Result<(), ServiceError> {
    let job = jobs::get(&ctx.db, id).await?;
    let Some(pair) = open_pair(ctx, &job).await? else {
        // The old key is gone (retired by an earlier run that stopped before its verdict was saved).
        jobs::transition(&ctx.db, id, rotation_state::RUNNING, rotation_state::FINISHED).await?;
        return Ok(());
    };
    let pair = Arc::new(pair);
    if job.dry_run {
        each(ctx, &job, &pair, &[host_state::PENDING], Phase::Check).await?;
        jobs::transition(&ctx.db, id, rotation_state::RUNNING, rotation_state::DRY_RUN).await?;
        return Ok(());
    }
    each(ctx, &job, &pair, &[host_state::PENDING, host_state::STAGED, host_state::VERIFIED], Phase::Move).await?;
    each(ctx, &job, &pair, &[host_state::SWITCHED], Phase::Clean).await?;
    conclude(ctx, &job, &pair).await
}

pub(super) async fn open_pair(ctx: &Rotator, job: &key_rotation::Model) -> Result<Option<Pair>, ServiceError> {
    let Ok(old) = keys::get_key(&ctx.db, job.old_key_id).await else { return Ok(None) };
    let old_private = keys::private_key(&ctx.master, &old)?;
    let new = match job.new_key_id {
        Some(new_id) => {
            let new = keys::get_key(&ctx.db, new_id).await?;
            let private = keys::private_key(&ctx.master, &new)?;
            let line = new.public_key.clone();
            Some((new, private, line))
        }
        None => None,
    };
    Ok(Some(Pair { old_blob: steps::blob_of(&old), old, old_private, new }))
}

/// How often, and how long, a step waits for a host's authorized_keys lock: together longer than
/// the two minutes after which a lock left by a crash is broken.
const LOCK_WAITS: u32 = 4;
const LOCK_PAUSE: std::time::Duration = std::time::Duration::from_secs(40);

#[derive(Clone, Copy)]
enum Phase {
    Check,
    Move,
    Clean,
}

/// Runs `phase` on every host in one of `states`, at most three quarters of the SSH slots at once.
async fn each(
    ctx: &Rotator,
    job: &key_rotation::Model,
    pair: &Arc<Pair>,
    states: &[&str],
    phase: Phase,
) -> Result<(), ServiceError> {
    let hosts: Vec<_> =
        jobs::hosts(&ctx.db, job.id).await?.into_iter().filter(|h| states.contains(&h.state.as_str())).collect();
    let (_, max) = ctx.gate.slots_in_use();
    let parallel = Arc::new(Semaphore::new((max * 3 / 4).max(1)));
    let work = hosts.into_iter().map(|host| {
        let parallel = parallel.clone();
        async move {
            let _turn = parallel.acquire().await;
            advance(ctx, job, pair, host, phase).await
        }
    });
    for result in futures::future::join_all(work).await {
        result?;
    }
    Ok(())
}

/// Takes one host as far as `phase` goes, writing each state reached.
async fn advance(
    ctx: &Rotator,
    job: &key_rotation::Model,
    pair: &Pair,
    mut host: rotation_host::Model,
    phase: Phase,
) -> Result<(), ServiceError> {
    let mut waits = 0;
    loop {
        let conn = match connections::get(&ctx.db, host.connection_id).await {
            Ok(conn) => conn,
            Err(ServiceError::NotFound(_)) => {
                let update = HostUpdate {
                    state: host_state::SKIPPED,
                    reached: &host.reached.clone(),
                    detail: Some("the connection was deleted".into()),
                    manual: false,
                };
                return jobs::set_host(&ctx.db, job, &host, update).await.map(drop);
            }
            Err(err) => return Err(err),
        };
        let outcome = match (phase, host.state.as_str()) {
            (Phase::Check, host_state::PENDING) => steps::check(ctx, pair, &conn).await,
            (Phase::Move, host_state::PENDING) => steps::stage(ctx, pair, &conn).await,
            (Phase::Move, host_state::STAGED) => steps::verify(ctx, pair, &conn).await,
            (Phase::Move, host_state::VERIFIED) => steps::switch(ctx, pair, &conn).await,
            (Phase::Clean, host_state::SWITCHED) => match still_used_on_account(ctx, pair, &conn).await? {
                Some(other) => {
                    let detail =
                        format!("the old key's line stays: {other} on the same account still uses the old key");
                    let update = HostUpdate {
                        state: host_state::SWITCHED,
                        reached: host_state::SWITCHED,
                        detail: Some(detail),
                        manual: true,
                    };
                    return jobs::set_host(&ctx.db, job, &host, update).await.map(drop);
                }
                None => steps::clean(ctx, pair, &conn).await,
            },
            _ => return Ok(()),
        };
        if let Err(failure) = &outcome
            && failure.transient
            && waits < LOCK_WAITS
        {
            // A lock another editor holds, or one a crashed editor left (broken once it is two
            // minutes old): wait and take the same step again.
            waits += 1;
            tracing::info!(connection = conn.id, reason = %failure.reason, "rotation step waits for the host's lock");
            tokio::time::sleep(LOCK_PAUSE).await;
            continue;
        }
        let reached = host.state.clone();
        let update = match &outcome {
            Ok(Step::To(state, detail)) => HostUpdate { state, reached: state, detail: detail.clone(), manual: false },
            Ok(Step::Skip(why)) => {
                HostUpdate { state: host_state::SKIPPED, reached: &reached, detail: Some(why.clone()), manual: false }
            }
            Err(Failure { reason, manual, .. }) => HostUpdate {
                state: host_state::FAILED,
                reached: &reached,
                detail: Some(reason.clone()),
                manual: *manual,
            },
        };
        host = jobs::set_host(&ctx.db, job, &host, update).await?;
        if outcome.is_err() || host.state == host_state::SKIPPED {
            return Ok(());
        }
    }
}

/// Another connection to the same account that still logs in with the old key (added after the
/// rotation started, or one whose move failed): the old line must stay for it.
async fn still_used_on_account(
    ctx: &Rotator,
    pair: &Pair,
    conn: &crate::server::entities::ssh_connection::Model,
) -> Result<Option<String>, ServiceError> {
    let account = connections::label(conn);
    let users = connections::key_users(&ctx.db, pair.old.id).await?;
    Ok(users
        .into_iter()
        .find(|u| u.connection_id != conn.id && u.target == account)
        .map(|u| format!("connection {}", u.connection_id)))
}

/// Every host cleaned or left out and no connection on the old key: the successor takes its place.
async fn conclude(ctx: &Rotator, job: &key_rotation::Model, pair: &Pair) -> Result<(), ServiceError> {
    let hosts = jobs::hosts(&ctx.db, job.id).await?;
    let done = hosts.iter().all(|h| h.state == host_state::CLEANED || h.state == host_state::SKIPPED);
    let still_old = connections::key_users(&ctx.db, pair.old.id).await?;
    let actor = Actor::system();
    if done && still_old.is_empty() {
        if let Some((new, _, _)) = &pair.new {
            keys::succeed(&ctx.db, &ctx.changes, &actor, pair.old.id, new.id).await?;
        }
        jobs::transition(&ctx.db, job.id, rotation_state::RUNNING, rotation_state::FINISHED).await?;
        return Ok(());
    }
    let failed = hosts.iter().filter(|h| h.state == host_state::FAILED).count();
    let detail = format!(
        "rotation {}: {failed} connection(s) failed, {} connection(s) still use the old key; the old key stays",
        job.id,
        still_old.len()
    );
    audit::record(
        &ctx.db,
        &actor,
        Event { action: "rotation.attention", target: &job.old_key_name, success: false, detail: &detail },
    )
    .await?;
    jobs::transition(&ctx.db, job.id, rotation_state::RUNNING, rotation_state::ATTENTION).await?;
    Ok(())
}
