//! Rolling a rotation back while the old key exists: every connection returns to the old key and
//! the new key's line leaves its host, in the order that keeps a working key at every moment —
//! make sure the old key logs in (adding its line back with the new key if it was already
//! removed), switch the connection back, then remove the new key's line (only while the old key's
//! line is there). Safe to run again; when every connection is back the new key is deleted.

use super::Rotator;
use super::jobs::{self, HostUpdate};
use super::runner::open_pair;
use super::steps::{self, Failure, Pair};
use crate::model::{host_state, rotation_state};
use crate::server::entities::{key_rotation, rotation_host, ssh_connection};
use crate::server::error::ServiceError;
use crate::server::services::audit::Actor;
use crate::server::services::connections;
use crate::server::ssh::authorized_file::AuthorizedFile;
use crate::server::ssh::remove_key::Target;

pub(super) async fn run(ctx: Rotator, id: i32) {
    if let Err(err) = drive(&ctx, id).await {
        tracing::error!(rotation = id, error = %err, "rolling back a key rotation stopped; it resumes at the next start");
    }
}

async fn drive(ctx: &Rotator, id: i32) -> Result<(), ServiceError> {
    let job = jobs::get(&ctx.db, id).await?;
    let pair = open_pair(ctx, &job).await?;
    let Some(pair) = pair.filter(|p| p.new.is_some()) else {
        jobs::transition(&ctx.db, id, rotation_state::ROLLING_BACK, rotation_state::ATTENTION).await?;
        return Ok(());
    };
    let hosts: Vec<_> =
        jobs::hosts(&ctx.db, id).await?.into_iter().filter(|h| h.state != host_state::ROLLED_BACK).collect();
    let work = hosts.into_iter().map(|host| back(ctx, &job, &pair, host));
    for result in futures::future::join_all(work).await {
        result?;
    }
    let all_back = jobs::hosts(&ctx.db, id).await?.iter().all(|h| h.state == host_state::ROLLED_BACK);
    let new_id = pair.new.as_ref().map(|(k, _, _)| k.id).unwrap_or_default();
    if all_back && connections::key_users(&ctx.db, new_id).await?.is_empty() {
        connections::delete_key(&ctx.db, &ctx.changes, &Actor::system(), new_id, false).await?;
        jobs::transition(&ctx.db, id, rotation_state::ROLLING_BACK, rotation_state::ROLLED_BACK).await?;
    } else {
        jobs::transition(&ctx.db, id, rotation_state::ROLLING_BACK, rotation_state::ATTENTION).await?;
    }
    Ok(())
}

async fn back(
    ctx: &Rotator,
    job: &key_rotation::Model,
    pair: &Pair,
    host: rotation_host::Model,
) -> Result<(), ServiceError> {
    let conn = match connections::get(&ctx.db, host.connection_id).await {
        Ok(conn) => conn,
        Err(ServiceError::NotFound(_)) => {
            let update = HostUpdate {
                state: host_state::ROLLED_BACK,
                reached: host_state::PENDING,
                detail: Some("the connection was deleted".into()),
                manual: false,
            };
            return jobs::set_host(&ctx.db, job, &host, update).await.map(drop);
        }
        Err(err) => return Err(err),
    };
    let untouched = host.reached == host_state::PENDING;
    let outcome = match restore(ctx, pair, &conn).await {
        // The rotation never got past this host's first step: nothing of it is there to undo.
        Err(failure) if untouched => Ok(format!("nothing had changed on this host ({})", failure.reason)),
        outcome => outcome,
    };
    let update = match outcome {
        Ok(detail) => HostUpdate {
            state: host_state::ROLLED_BACK,
            reached: host_state::PENDING,
            detail: Some(detail),
            manual: false,
        },
        Err(Failure { reason, manual, .. }) => HostUpdate {
            state: host_state::FAILED,
            reached: &host.reached,
            detail: Some(format!("rolling back: {reason}")),
            manual,
        },
    };
    jobs::set_host(&ctx.db, job, &host, update).await.map(drop)
}

/// The three steps on one connection; the detail says what was done.
async fn restore(ctx: &Rotator, pair: &Pair, conn: &ssh_connection::Model) -> Result<String, Failure> {
    let Some((new, new_private, _)) = &pair.new else {
        return Err(Failure::internal("no new key"));
    };
    if conn.ssh_key_id != Some(pair.old.id) && conn.ssh_key_id != Some(new.id) {
        return Ok("the connection uses neither key any more; left as it is".into());
    }
    let mut done = Vec::new();
    let port = u16::try_from(conn.port).unwrap_or(22);
    // The slot of the login in use is held as long as its session.
    let (session, _slot) = match steps::login(ctx, conn, &pair.old_private).await {
        Ok(opened) => opened,
        Err(_) => {
            // The old key's line was already removed: put it back with the new key first.
            let (session, slot) = steps::login(ctx, conn, new_private).await?;
            let account = ctx.gate.account(&conn.host, port, &conn.username).await;
            let put_back = async {
                let file = AuthorizedFile::open(&session, conn.use_sftp_mode).await?;
                let added = file.add(&pair.old.public_key).await;
                file.close().await;
                added
            }
            .await;
            session.close().await;
            // Nothing is held while the next login waits for a slot.
            drop((account, slot));
            put_back?;
            done.push("the old key's line was added back");
            steps::login(ctx, conn, &pair.old_private).await?
        }
    };
    let switched = connections::switch_key(&ctx.db, &ctx.changes, &Actor::system(), conn.id, new.id, pair.old.id).await;
    if let Err(err) = switched {
        session.close().await;
        return Err(err.into());
    }
    let new_blob = steps::blob_of(new);
    let target = Target::Key { old_blob: &new_blob, keep_blob: &pair.old_blob };
    let _account = ctx.gate.account(&conn.host, port, &conn.username).await;
    let removed = async {
        let file = AuthorizedFile::open(&session, conn.use_sftp_mode).await?;
        let removed = file.remove(target).await;
        file.close().await;
        removed
    }
    .await;
    session.close().await;
    done.push(if removed?.lines > 0 {
        "the new key's line was removed"
    } else {
        "the new key's line was not on the host"
    });
    Ok(format!("back on the old key; {}", done.join("; ")))
}
