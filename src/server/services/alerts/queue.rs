//! The delivery queue: one row per alert and channel (`alert_deliveries`), written in the same
//! transaction as the alert, so a restart loses none. A dispatcher sends what is due, retries a
//! failure with growing pauses (base, 4×, 16×, …) and records the outcome on the row, on the
//! channel (its last delivery) and, once final, in the audit log. A digest channel's alerts wait
//! for its window and leave as one message. Delivery is at least once: a receiver can drop a
//! repeat by `X-Keyhaven-Delivery`.

use super::channels;
use super::send::{Outgoing, send};
use crate::server::entities::{alert_channel, alert_delivery, alert_event};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::audit::{self, Actor, Event};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set,
};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// What one delivery carries: an alert event, or a notice of no connection (kind, message).
enum Carries<'a> {
    Event(i32),
    Notice(&'a str, &'a str),
}

/// Queues one pending delivery per enabled channel and item (inside the caller's transaction); a
/// digest channel's wait for its window.
async fn queue(db: &impl ConnectionTrait, items: &[Carries<'_>]) -> Result<(), ServiceError> {
    if items.is_empty() {
        return Ok(());
    }
    let channels = alert_channel::Entity::find().filter(alert_channel::Column::Enabled.eq(true)).all(db).await?;
    let now = Utc::now();
    let rows: Vec<alert_delivery::ActiveModel> = channels
        .iter()
        .flat_map(|channel| {
            items.iter().map(move |item| {
                let (event_id, kind, message) = match item {
                    Carries::Event(id) => (Some(*id), None, None),
                    Carries::Notice(kind, message) => (None, Some(kind.to_string()), Some(message.to_string())),
                };
                alert_delivery::ActiveModel {
                    channel_id: Set(channel.id),
                    event_id: Set(event_id),
                    status: Set(PENDING.into()),
                    attempts: Set(0),
                    next_attempt_at: Set(now + Duration::minutes(i64::from(channel.digest_minutes))),
                    created_at: Set(now),
                    finished_at: Set(None),
                    detail: Set(None),
                    kind: Set(kind),
                    message: Set(message),
                    ..Default::default()
                }
            })
        })
        .collect();
    if !rows.is_empty() {
        alert_delivery::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Queues `events` for every enabled channel (inside the caller's transaction).
pub async fn enqueue(db: &impl ConnectionTrait, events: &[alert_event::Model]) -> Result<(), ServiceError> {
    let items: Vec<Carries<'_>> = events.iter().map(|e| Carries::Event(e.id)).collect();
    queue(db, &items).await
}

/// Queues a notice that belongs to no connection (`kind`, e.g. `rotation_due`, and its message) for
/// every enabled channel (inside the caller's transaction).
pub async fn announce(db: &impl ConnectionTrait, kind: &str, message: &str) -> Result<(), ServiceError> {
    queue(db, &[Carries::Notice(kind, message)]).await
}

/// Sends what is due; cloned into its task.
#[derive(Clone)]
pub struct Dispatcher {
    pub db: DatabaseConnection,
    pub master: Arc<MasterKey>,
    /// The pause after the first failed attempt; each next one is four times longer.
    pub retry_after: Duration,
    /// Attempts before a delivery is recorded as failed.
    pub attempts: i32,
}

/// Starts the dispatcher.
pub fn start(dispatcher: Dispatcher) -> Result<tokio::task::JoinHandle<()>, ServiceError> {
    let http = super::webhook::client().map_err(ServiceError::Internal)?;
    Ok(tokio::spawn(async move {
        let tick = dispatcher
            .retry_after
            .to_std()
            .unwrap_or_default()
            .clamp(std::time::Duration::from_millis(50), std::time::Duration::from_secs(1));
        loop {
            if let Err(err) = dispatcher.round(&http).await {
                tracing::warn!(error = %err, "alert deliveries: this round failed; the next one retries");
            }
            tokio::time::sleep(tick).await;
        }
    }))
}

impl Dispatcher {
    /// Sends every due delivery: a channel's at once side by side with other channels'.
    async fn round(&self, http: &reqwest::Client) -> Result<(), ServiceError> {
        let due = alert_delivery::Entity::find()
            .filter(alert_delivery::Column::Status.eq(PENDING))
            .filter(alert_delivery::Column::NextAttemptAt.lte(Utc::now()))
            .order_by_asc(alert_delivery::Column::Id)
            .limit(200)
            .all(&self.db)
            .await?;
        let mut by_channel: BTreeMap<i32, Vec<alert_delivery::Model>> = BTreeMap::new();
        for row in due {
            by_channel.entry(row.channel_id).or_default().push(row);
        }
        let work = by_channel.into_iter().map(|(channel_id, rows)| self.channel_round(http, channel_id, rows));
        for result in futures::future::join_all(work).await {
            if let Err(err) = result {
                tracing::warn!(error = %err, "alert deliveries of a channel failed to record");
            }
        }
        Ok(())
    }

    async fn channel_round(
        &self,
        http: &reqwest::Client,
        channel_id: i32,
        due: Vec<alert_delivery::Model>,
    ) -> Result<(), ServiceError> {
        let Some(channel) = alert_channel::Entity::find_by_id(channel_id).one(&self.db).await? else { return Ok(()) };
        if !channel.enabled {
            return finish(
                &self.db,
                &channel,
                &due,
                Err("the channel was turned off before it was sent".into()),
                &Actor::system(),
            )
            .await;
        }
        let batches: Vec<Vec<alert_delivery::Model>> = if channel.digest_minutes > 0 {
            // The window of the oldest is over: everything waiting for this channel goes with it.
            let waiting = alert_delivery::Entity::find()
                .filter(alert_delivery::Column::ChannelId.eq(channel_id))
                .filter(alert_delivery::Column::Status.eq(PENDING))
                .order_by_asc(alert_delivery::Column::Id)
                .all(&self.db)
                .await?;
            vec![waiting]
        } else {
            due.into_iter().map(|row| vec![row]).collect()
        };
        for rows in batches {
            let ids: Vec<i32> = rows.iter().filter_map(|r| r.event_id).collect();
            let events = alert_event::Entity::find()
                .filter(alert_event::Column::Id.is_in(ids))
                .order_by_asc(alert_event::Column::Id)
                .all(&self.db)
                .await?;
            let notices: Vec<&alert_delivery::Model> = rows.iter().filter(|r| r.message.is_some()).collect();
            let first = rows.first().map_or(0, |r| r.id);
            let outcome = if events.is_empty() && notices.is_empty() {
                Err("the alert is gone (its connection was deleted)".to_string())
            } else {
                send(http, &self.master, &channel, &Outgoing::of_events(first, &events, &notices)).await
            };
            let last_try = rows.iter().map(|r| r.attempts + 1).max().unwrap_or(1) >= self.attempts;
            if outcome.is_err() && !last_try {
                retry(&self.db, &channel, &rows, outcome.as_ref().err(), self.pause(&rows)).await?;
            } else {
                finish(&self.db, &channel, &rows, outcome, &Actor::system()).await?;
            }
        }
        Ok(())
    }

    /// base × 4^(attempts so far).
    fn pause(&self, rows: &[alert_delivery::Model]) -> Duration {
        let done = rows.iter().map(|r| r.attempts).max().unwrap_or(0).clamp(0, 8);
        self.retry_after * 4_i32.pow(u32::try_from(done).unwrap_or(0))
    }
}

async fn mark_channel(
    db: &DatabaseConnection,
    channel: &alert_channel::Model,
    ok: bool,
    detail: &str,
) -> Result<(), ServiceError> {
    let mut row: alert_channel::ActiveModel = channel.clone().into();
    row.last_delivery_at = Set(Some(Utc::now()));
    row.last_delivery_ok = Set(Some(ok));
    row.last_delivery_detail = Set(Some(detail.to_string()));
    row.update(db).await?;
    Ok(())
}

async fn retry(
    db: &DatabaseConnection,
    channel: &alert_channel::Model,
    rows: &[alert_delivery::Model],
    why: Option<&String>,
    pause: Duration,
) -> Result<(), ServiceError> {
    let detail = format!("{} (retrying)", why.map_or("failed", String::as_str));
    for row in rows {
        let mut active: alert_delivery::ActiveModel = row.clone().into();
        active.attempts = Set(row.attempts + 1);
        active.next_attempt_at = Set(Utc::now() + pause);
        active.detail = Set(Some(detail.clone()));
        active.update(db).await?;
    }
    mark_channel(db, channel, false, &detail).await
}

/// Records the final outcome of `rows` (sent or failed) on them, the channel and the audit log.
pub async fn finish(
    db: &DatabaseConnection,
    channel: &alert_channel::Model,
    rows: &[alert_delivery::Model],
    outcome: Result<String, String>,
    actor: &Actor,
) -> Result<(), ServiceError> {
    let (ok, detail) = match &outcome {
        Ok(detail) => (true, detail.clone()),
        Err(detail) => (false, detail.clone()),
    };
    let now = Utc::now();
    for row in rows {
        let mut active: alert_delivery::ActiveModel = row.clone().into();
        active.status = Set(if ok { SENT } else { FAILED }.into());
        active.attempts = Set(row.attempts + 1);
        active.finished_at = Set(Some(now));
        active.detail = Set(Some(detail.clone()));
        active.update(db).await?;
    }
    mark_channel(db, channel, ok, &detail).await?;
    let test = rows.iter().all(|r| r.event_id.is_none() && r.message.is_none());
    let action = match (test, ok) {
        (true, true) => "alert.test_sent",
        (true, false) => "alert.test_failed",
        (false, true) => "alert.delivered",
        (false, false) => "alert.delivery_failed",
    };
    let attempts = rows.iter().map(|r| r.attempts + 1).max().unwrap_or(1);
    let what = if test { "test alert".to_string() } else { format!("{} alert(s)", rows.len()) };
    let detail = format!("{what} via {}, attempt {attempts}: {detail}", channel.kind);
    audit::record(db, actor, Event { action, target: &channel.name, success: ok, detail: &detail }).await
}

/// Sends a test alert to channel `id` at once (no retries: the operator is waiting for the
/// answer) and records it like any delivery.
pub async fn send_test(
    db: &DatabaseConnection,
    master: &MasterKey,
    actor: &Actor,
    id: i32,
) -> Result<alert_delivery::Model, ServiceError> {
    let channel = channels::get(db, id).await?;
    let now = Utc::now();
    let row = alert_delivery::ActiveModel {
        channel_id: Set(id),
        event_id: Set(None),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now + Duration::days(3650)),
        created_at: Set(now),
        finished_at: Set(None),
        detail: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let http = super::webhook::client().map_err(ServiceError::Internal)?;
    let outcome = send(&http, master, &channel, &Outgoing::test(row.id, &channel.name)).await;
    finish(db, &channel, std::slice::from_ref(&row), outcome, actor).await?;
    Ok(alert_delivery::Entity::find_by_id(row.id).one(db).await?.unwrap_or(row))
}

/// A delivery as pages and the API show it.
pub fn delivery_view(d: &alert_delivery::Model) -> crate::model::DeliveryView {
    use crate::server::services::rfc3339;
    crate::model::DeliveryView {
        id: d.id,
        channel_id: d.channel_id,
        alert_id: d.event_id,
        kind: d.kind.clone(),
        message: d.message.clone(),
        status: d.status.clone(),
        attempts: d.attempts,
        created_at: rfc3339(&d.created_at),
        finished_at: d.finished_at.as_ref().map(rfc3339),
        detail: d.detail.clone(),
    }
}

/// Page `page` of channel `id`'s deliveries, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    id: i32,
    per_page: u64,
    page: u64,
) -> Result<crate::model::Page<alert_delivery::Model>, ServiceError> {
    channels::get(db, id).await?;
    let select = alert_delivery::Entity::find()
        .filter(alert_delivery::Column::ChannelId.eq(id))
        .order_by_desc(alert_delivery::Column::Id);
    crate::server::services::paging::fetch(db, select, per_page, page).await
}

/// Deliveries by channel name and status, for `/metrics`.
pub async fn delivery_counts(db: &DatabaseConnection) -> Result<Vec<(String, String, u64)>, ServiceError> {
    let rows: Vec<(String, String, i64)> = alert_delivery::Entity::find()
        .select_only()
        .column(alert_channel::Column::Name)
        .column(alert_delivery::Column::Status)
        .column_as(sea_orm::sea_query::Expr::col((alert_delivery::Entity, alert_delivery::Column::Id)).count(), "n")
        .join(sea_orm::JoinType::InnerJoin, alert_delivery::Relation::Channel.def())
        .group_by(alert_channel::Column::Name)
        .group_by(alert_delivery::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(name, status, n)| (name, status, u64::try_from(n).unwrap_or(0))).collect())
}
