//! "Read every connection": the inventory of the whole fleet as one job. It covers the connections
//! that exist when it starts and reads them within three quarters of the SSH slots (people's tests
//! and deploys keep the rest); a connection is done once it has a read since the job started, so
//! progress comes from the reads themselves and a stop in the middle resumes with the connections
//! not read yet. One job at a time.

use super::reads::read;
use crate::model::{InventoryRunView, inventory_run_state};
use crate::server::entities::{inventory_read, inventory_run, ssh_connection};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::services::remote::SshGate;
use crate::server::services::rfc3339;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// What a fleet read works with; cloned into its task.
#[derive(Clone)]
pub struct FleetReader {
    pub db: DatabaseConnection,
    pub gate: Arc<SshGate>,
    pub master: Arc<MasterKey>,
}

/// The connections job `run` covers and which of them were read since it started (with whether
/// that newest read failed).
async fn covered(
    db: &DatabaseConnection,
    run: &inventory_run::Model,
) -> Result<(Vec<i32>, Vec<(i32, bool)>), ServiceError> {
    let ids: Vec<i32> = ssh_connection::Entity::find()
        .select_only()
        .column(ssh_connection::Column::Id)
        .filter(ssh_connection::Column::Id.lte(run.last_connection_id))
        .order_by_asc(ssh_connection::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let reads: Vec<(i32, Option<String>)> = inventory_read::Entity::find()
        .select_only()
        .columns([inventory_read::Column::ConnectionId, inventory_read::Column::Error])
        .filter(inventory_read::Column::ReadAt.gte(run.started_at))
        .filter(inventory_read::Column::ConnectionId.lte(run.last_connection_id))
        .order_by_asc(inventory_read::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // The newest read of each connection decides whether it failed.
    let mut newest: std::collections::HashMap<i32, bool> = std::collections::HashMap::new();
    for (id, error) in reads {
        newest.insert(id, error.is_some());
    }
    let live: HashSet<i32> = ids.iter().copied().collect();
    let done = newest.into_iter().filter(|(id, _)| live.contains(id)).collect();
    Ok((ids, done))
}

/// The job as the page and the API show it.
pub async fn run_view(db: &DatabaseConnection, run: &inventory_run::Model) -> Result<InventoryRunView, ServiceError> {
    let (ids, done) = covered(db, run).await?;
    Ok(InventoryRunView {
        id: run.id,
        state: run.state.clone(),
        started_by: run.started_by.clone(),
        started_at: rfc3339(&run.started_at),
        finished_at: run.finished_at.as_ref().map(rfc3339),
        total: ids.len(),
        done: done.len(),
        failed: done.iter().filter(|(_, failed)| *failed).count(),
    })
}

/// The newest fleet read, if there was one.
pub async fn latest_run(db: &DatabaseConnection) -> Result<Option<InventoryRunView>, ServiceError> {
    let newest = inventory_run::Entity::find().order_by_desc(inventory_run::Column::Id).one(db).await?;
    match newest {
        Some(run) => Ok(Some(run_view(db, &run).await?)),
        None => Ok(None),
    }
}

/// Starts reading every connection; 409 naming `run` while one is running.
pub async fn start_run(ctx: &FleetReader, actor: &Actor) -> Result<InventoryRunView, ServiceError> {
    let running = inventory_run::Entity::find()
        .filter(inventory_run::Column::State.eq(inventory_run_state::RUNNING))
        .count(&ctx.db)
        .await?;
    if running > 0 {
        return Err(ServiceError::conflict("run", "Every connection is being read already; wait for it to finish."));
    }
    let last: Option<i32> = ssh_connection::Entity::find()
        .select_only()
        .column(ssh_connection::Column::Id)
        .order_by_desc(ssh_connection::Column::Id)
        .into_tuple()
        .one(&ctx.db)
        .await?;
    let run = inventory_run::ActiveModel {
        state: Set(inventory_run_state::RUNNING.into()),
        started_by: Set(actor.name.clone()),
        started_at: Set(chrono::Utc::now()),
        finished_at: Set(None),
        last_connection_id: Set(last.unwrap_or(0)),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await?;
    let view = run_view(&ctx.db, &run).await?;
    let detail = format!("{} connections", view.total);
    audit::record(
        &ctx.db,
        actor,
        Event { action: "inventory.fleet_read", target: "every connection", success: true, detail: &detail },
    )
    .await?;
    tokio::spawn(work(ctx.clone(), run, actor.clone()));
    Ok(view)
}

/// Resumes the fleet read a stop interrupted (at server start).
pub async fn resume_runs(ctx: &FleetReader) {
    let interrupted = inventory_run::Entity::find()
        .filter(inventory_run::Column::State.eq(inventory_run_state::RUNNING))
        .all(&ctx.db)
        .await;
    match interrupted {
        Ok(runs) => {
            for run in runs {
                tracing::info!(run = run.id, "resuming the read of every connection's authorized_keys");
                tokio::spawn(work(ctx.clone(), run, Actor::system()));
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not look for an interrupted fleet read"),
    }
}

/// Reads every connection of `run` not read since it started, then marks it finished.
async fn work(ctx: FleetReader, run: inventory_run::Model, actor: Actor) {
    let pending = match covered(&ctx.db, &run).await {
        Ok((ids, done)) => {
            let done: HashSet<i32> = done.into_iter().map(|(id, _)| id).collect();
            ids.into_iter().filter(|id| !done.contains(id)).collect::<Vec<_>>()
        }
        Err(err) => {
            tracing::warn!(run = run.id, error = %err, "the fleet read cannot list its connections; it resumes at the next start");
            return;
        }
    };
    let (_, max) = ctx.gate.slots_in_use();
    let room = Arc::new(Semaphore::new((max * 3 / 4).max(1)));
    let mut reads = tokio::task::JoinSet::new();
    for id in pending {
        let Ok(permit) = room.clone().acquire_owned().await else { break };
        let (ctx, actor) = (ctx.clone(), actor.clone());
        reads.spawn(async move {
            // A failed read is kept with its reason (and counted as failed); only an error of
            // Keyhaven's own (the database) is logged here.
            if let Err(err) = read(&ctx.db, &ctx.gate, &ctx.master, &actor, id).await {
                tracing::warn!(connection = id, error = %err, "fleet read: this connection was not read");
            }
            drop(permit);
        });
    }
    while reads.join_next().await.is_some() {}
    let mut done: inventory_run::ActiveModel = run.into();
    done.state = Set(inventory_run_state::FINISHED.into());
    done.finished_at = Set(Some(chrono::Utc::now()));
    if let Err(err) = done.update(&ctx.db).await {
        tracing::warn!(error = %err, "could not mark the fleet read finished; it resumes at the next start");
    }
}
