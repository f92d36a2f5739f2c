//! The scheduler: a task that, every tick and whenever a check finishes, gives new connections
//! their first check, takes the checks that are due (at most three quarters of the global SSH
//! slots at once, so people's tests and deploys keep the rest) and runs each through the
//! connections domain, which respects the per-host and global SSH slots and never overlaps a
//! manual test of the same connection.

use super::alerts::{Checked, observe, raise_drift};
use super::schedule::{self, interval_of};
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::changes::Changes;
use crate::server::services::connections::{self, CheckRun};
use crate::server::services::inventory;
use crate::server::services::remote::SshGate;
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::{Notify, Semaphore};

/// What the scheduler works with; cloned into each check.
#[derive(Clone)]
pub struct Scheduler {
    pub db: DatabaseConnection,
    pub changes: Changes,
    pub gate: Arc<SshGate>,
    pub master: Arc<MasterKey>,
    /// The global interval.
    pub every: Duration,
    /// Failed checks in a row before a connection is reported failing (`alert_after_failures`).
    pub failures_to_alert: i32,
    /// How old a healthy connection's last read of its authorized_keys may be before a check reads
    /// it again (`inventory_interval_secs`; zero: never).
    pub inventory_every: Duration,
}

/// The running scheduler; dropping it (or `abort`) stops it and every check it runs.
pub struct Running {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    pub fn abort(mut self) {
        self.stop.take();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.take();
    }
}

/// Starts the scheduler on a runtime of its own, one thread at the background priority
/// (`server::background`): a check is mostly CPU (the SSH key exchange and signatures), and a round
/// of a thousand on the server's runtime took its workers from the pages (p99 ×13 during a round).
/// With an interval of zero checks are off and nothing starts.
pub fn start(scheduler: Scheduler) -> Option<Running> {
    if scheduler.every <= Duration::zero() {
        return None;
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(crate::server::background::run_lowered("keyhaven-checks", move || async move {
        tokio::select! {
            () = scheduler.run() => {}
            _ = stopped => {}
        }
    }));
    Some(Running { stop: Some(stop) })
}

impl Scheduler {
    /// How often due checks are looked for: a tenth of the interval, from 100 ms to 5 s.
    fn tick(&self) -> std::time::Duration {
        let millis = (self.every.num_milliseconds() / 10).clamp(100, 5000);
        std::time::Duration::from_millis(u64::try_from(millis).unwrap_or(5000))
    }

    /// Scheduled checks running at once: three quarters of the global SSH slots.
    fn at_once(&self) -> usize {
        let (_, max) = self.gate.slots_in_use();
        (max * 3 / 4).max(1)
    }

    async fn run(self) {
        match schedule::recover(&self.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(checks = n, "checks interrupted by the last stop run again"),
            Err(err) => tracing::warn!(error = %err, "could not recover interrupted checks"),
        }
        let parallel = Arc::new(Semaphore::new(self.at_once()));
        // A finished check makes room at once: a round of many due checks never waits for a tick.
        let finished = Arc::new(Notify::new());
        loop {
            if let Err(err) = self.round(&parallel, &finished).await {
                tracing::warn!(error = %err, "scheduled checks: this round failed; the next one retries");
            }
            tokio::select! {
                () = tokio::time::sleep(self.tick()) => {}
                () = finished.notified() => {}
            }
        }
    }

    /// One look at the schedule: start what is due, as far as there is room.
    async fn round(&self, parallel: &Arc<Semaphore>, finished: &Arc<Notify>) -> Result<(), ServiceError> {
        let now = Utc::now();
        schedule::add_missing(&self.db, self.every, now).await?;
        let room = parallel.available_permits() as u64;
        if room == 0 {
            return Ok(());
        }
        for row in schedule::due(&self.db, now, room).await? {
            let Some(every) = interval_of(&row, self.every) else { continue };
            let Ok(permit) = parallel.clone().try_acquire_owned() else { break };
            if !schedule::claim(&self.db, row.connection_id, now).await? {
                continue;
            }
            let me = self.clone();
            let finished = finished.clone();
            tokio::spawn(async move {
                me.check(row.connection_id, every).await;
                drop(permit);
                finished.notify_one();
            });
        }
        Ok(())
    }

    /// Runs one check and sets the next: one interval after it finished, or soon when a manual
    /// test of the connection held it.
    async fn check(&self, id: i32, every: Duration) {
        let outcome = connections::scheduled_check(&self.db, &self.changes, &self.gate, &self.master, id).await;
        let now = Utc::now();
        let (checked, next) = match outcome {
            Ok(CheckRun::Done { report, storage, label }) => {
                self.alert(id, label, &report, storage).await;
                if report.connected {
                    self.watch_inventory(id).await;
                }
                (Some(now), now + every)
            }
            Ok(CheckRun::Busy) => (None, now + every.min(Duration::seconds(30))),
            // Deleted meanwhile: its schedule went with it.
            Err(ServiceError::NotFound(_)) => return,
            Err(err) => {
                tracing::warn!(connection = id, error = %err, "scheduled check failed to run");
                (Some(now), now + every)
            }
        };
        if let Err(err) = schedule::finish(&self.db, id, checked, next).await {
            tracing::warn!(connection = id, error = %err, "could not save the next check time");
        }
    }

    /// Reads the connection's authorized_keys when its last read is old enough; a change Keyhaven
    /// did not make is an alert. A failure is logged; the check stands.
    async fn watch_inventory(&self, id: i32) {
        let watched = inventory::watch(&self.db, &self.gate, &self.master, id, self.inventory_every).await;
        let raised = match watched {
            Ok(Some(message)) => raise_drift(&self.db, id, message).await.map(Some),
            Ok(None) => Ok(None),
            Err(err) => Err(err),
        };
        match raised {
            Ok(Some(event)) => tracing::warn!(connection = id, kind = %event.kind, "{}", event.message),
            Ok(None) => {}
            Err(err) => tracing::warn!(connection = id, error = %err, "could not read authorized_keys on schedule"),
        }
    }

    /// Runs a finished check through the alert rules; a failure is logged, the check is kept.
    async fn alert(&self, id: i32, label: String, report: &connections::TestReport, storage: Option<(i64, i64)>) {
        let checked = Checked {
            connection_id: id,
            label,
            healthy: report.connected,
            reason: report.reason.to_string(),
            message: report.error.clone().or_else(|| report.note.clone()),
            storage,
        };
        match observe(&self.db, &checked, self.failures_to_alert).await {
            Ok(events) => {
                for event in events {
                    tracing::warn!(connection = id, kind = %event.kind, "{}", event.message);
                }
            }
            Err(err) => tracing::warn!(connection = id, error = %err, "could not apply the alert rules"),
        }
    }
}
