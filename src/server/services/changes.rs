//! Change notices. A domain that changed what other tools read from `data/ssh` (a managed key,
//! trusted host keys, a connection) publishes a notice right after its transaction commits; the one
//! writer (`ssh_files`) listens. Nothing outside a domain guesses from routes or names what changed.
//!
//! Publishing waits until a write covers the notice, so a tool started right after the answer sees
//! the change. Notices that arrive while the writer works are merged into its next pass: a burst of
//! a thousand changes costs a few writes. A failed write never loses a notice: it is retried, and
//! the waiting request learns that the files are stale (the change itself is in the database).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// What changed. Publish only after the transaction that made the change has committed: the writer
/// reads the database, and must see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A managed key was created or deleted (`keys/<id>.pub`).
    Key(i32),
    /// Trusted host keys were added, replaced or removed (`known_hosts`).
    HostKeys,
    /// A connection was created, changed or deleted (its block in `ssh_config`).
    Connection(i32),
    /// Everything: at start-up, or after a change too broad to list.
    Everything,
}

/// The changes not yet written, merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    pub everything: bool,
    pub host_keys: bool,
    pub keys: BTreeSet<i32>,
    pub connections: BTreeSet<i32>,
}

impl Pending {
    fn add(&mut self, change: Change) {
        match change {
            Change::Key(id) => {
                self.keys.insert(id);
            }
            Change::HostKeys => self.host_keys = true,
            Change::Connection(id) => {
                self.connections.insert(id);
            }
            Change::Everything => self.everything = true,
        }
    }

    pub fn merge(&mut self, other: Pending) {
        self.everything |= other.everything;
        self.host_keys |= other.host_keys;
        self.keys.extend(other.keys);
        self.connections.extend(other.connections);
    }

    pub fn is_empty(&self) -> bool {
        *self == Pending::default()
    }
}

/// Where the writer stands, for waiting requests, `/healthz` and the Dashboard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriterStatus {
    /// Every notice up to this number is in the files.
    pub written: u64,
    /// The last pass covered notices up to this number (written, or failed).
    pub attempted: u64,
    /// Why the last pass failed; `None` once a pass succeeds. Names a file, never a full path.
    pub failure: Option<String>,
    /// Passes that wrote the files since start (the count a burst of notices is measured by).
    pub passes: u64,
}

/// How long a request waits for its write before it answers anyway, saying the files are stale.
const WAIT_FOR_WRITE: Duration = Duration::from_secs(10);

struct Queue {
    last_notice: u64,
    pending: Pending,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Notify,
    status: watch::Sender<WriterStatus>,
    /// Grows with every change, file or not (see [`Changes::revision`]).
    revision: AtomicU64,
}

/// The handle in the application state: services publish through it, the writer reads from it.
#[derive(Clone)]
pub struct Changes {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes").field("status", &self.status()).finish()
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

/// The files in `data/ssh` do not hold a change yet; the reason is safe to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleFiles(pub String);

impl Changes {
    /// A handle with everything pending, so the writer's first pass writes every file.
    pub fn new() -> Self {
        let pending = Pending { everything: true, ..Pending::default() };
        Changes {
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue { last_notice: 1, pending }),
                wake: Notify::new(),
                status: watch::Sender::new(WriterStatus::default()),
                revision: AtomicU64::new(0),
            }),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.shared.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Publishes `changes` and waits for the write that covers them. When the files stay stale the
    /// reason is logged and noted for the request being answered (see [`note_stale_files`]); the
    /// caller's change stands either way, so there is nothing for it to handle.
    pub async fn publish(&self, changes: &[Change]) {
        if changes.is_empty() {
            return;
        }
        self.touched();
        let notice = {
            let mut queue = self.queue();
            queue.last_notice += 1;
            for change in changes {
                queue.pending.add(*change);
            }
            queue.last_notice
        };
        self.shared.wake.notify_one();
        if let Err(StaleFiles(reason)) = self.wait_for(notice).await {
            tracing::warn!(reason = %reason, "a change is saved, but the files in data/ssh are stale");
            let _ =
                STALE.try_with(|stale| *stale.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason));
        }
    }

    async fn wait_for(&self, notice: u64) -> Result<(), StaleFiles> {
        let mut status = self.shared.status.subscribe();
        let settled = status.wait_for(|s| s.written >= notice || (s.attempted >= notice && s.failure.is_some()));
        match tokio::time::timeout(WAIT_FOR_WRITE, settled).await {
            Ok(Ok(s)) if s.written >= notice => Ok(()),
            Ok(Ok(s)) => Err(StaleFiles(s.failure.clone().unwrap_or_default())),
            Ok(Err(_)) => Err(StaleFiles("the files writer is not running".into())),
            Err(_) => Err(StaleFiles(format!("not written within {} s", WAIT_FOR_WRITE.as_secs()))),
        }
    }

    /// Notes a committed change that touches no file but shows in answers (a connection's status
    /// after a test, a key's new name). It does not wait: there is nothing to write.
    pub fn touched(&self) {
        self.shared.revision.fetch_add(1, Ordering::AcqRel);
    }

    /// Grows with every change published or touched, after its commit. An answer built from the
    /// database after reading revision `r` is current for as long as the revision is still `r`
    /// (a change that lands while it is built moves the revision on, so the next reader rebuilds).
    pub fn revision(&self) -> u64 {
        self.shared.revision.load(Ordering::Acquire)
    }

    pub fn status(&self) -> WriterStatus {
        self.shared.status.borrow().clone()
    }

    /// For the writer: waits until something is pending, then takes it with the number of the
    /// last notice it covers.
    pub async fn take(&self) -> (u64, Pending) {
        loop {
            let woken = self.shared.wake.notified();
            if let Some(taken) = self.take_more() {
                return taken;
            }
            woken.await;
        }
    }

    /// For the writer: what is pending now, if anything (what arrived since [`Changes::take`]),
    /// with the number of the last notice it covers.
    pub fn take_more(&self) -> Option<(u64, Pending)> {
        let mut queue = self.queue();
        (!queue.pending.is_empty()).then(|| (queue.last_notice, std::mem::take(&mut queue.pending)))
    }

    /// For the writer: waits for a new notice or `delay`, whichever comes first (a retry after a
    /// failure should not keep a new request waiting for the whole backoff).
    pub async fn pause(&self, delay: Duration) {
        let _ = tokio::time::timeout(delay, self.shared.wake.notified()).await;
    }

    /// For the writer: the pass covering notices up to `notice` wrote every file.
    pub fn written(&self, notice: u64) {
        self.shared.status.send_modify(|s| {
            s.written = s.written.max(notice);
            s.attempted = s.attempted.max(notice);
            s.failure = None;
            s.passes += 1;
        });
    }

    /// For the writer: the pass failed; what it took goes back into the queue for the retry.
    pub fn failed(&self, notice: u64, pending: Pending, reason: String) {
        self.queue().pending.merge(pending);
        self.shared.status.send_modify(|s| {
            s.attempted = s.attempted.max(notice);
            s.failure = Some(reason);
        });
    }
}

tokio::task_local! {
    /// Set while a request is answered: the reason its change is not in the files yet, if so.
    static STALE: Mutex<Option<String>>;
}

/// Runs `work` (one request) and returns, beside its output, why the files in `data/ssh` are stale
/// for a change it published, if they are.
pub async fn note_stale_files<F: std::future::Future>(work: F) -> (F::Output, Option<String>) {
    STALE
        .scope(Mutex::new(None), async {
            let output = work.await;
            let stale = STALE.with(|s| s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take());
            (output, stale)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_change_moves_the_revision_on_and_a_touch_does_not_wait() {
        let changes = Changes::new();
        let before = changes.revision();
        changes.touched();
        assert_eq!(changes.revision(), before + 1);
        // No writer runs here: a publish would wait for it; a touch returns at once.
        let waited = tokio::time::timeout(Duration::from_millis(50), changes.publish(&[Change::HostKeys])).await;
        assert!(waited.is_err(), "publish waits for the writer");
        assert_eq!(changes.revision(), before + 2, "a publish counts before it waits");
    }

    #[tokio::test]
    async fn notices_wait_for_the_pass_that_covers_them_and_bursts_merge() {
        let changes = Changes::new();
        let writer = changes.clone();
        let passes = tokio::spawn(async move {
            let mut seen = Vec::new();
            // Passes until the last of the three notices (start-up, two publishes) is covered.
            while writer.status().written < 3 {
                let (notice, pending) = writer.take().await;
                seen.push(pending);
                writer.written(notice);
            }
            seen
        });
        let (a, b) = tokio::join!(
            changes.publish(&[Change::Key(1), Change::Connection(4)]),
            changes.publish(&[Change::HostKeys])
        );
        assert_eq!((a, b), ((), ()), "both returned, so a pass covered each");
        let seen = passes.await.unwrap();
        // The first pass takes the start-up "everything" and whatever arrived with it; the two
        // notices published together are merged into one pass.
        assert!(seen[0].everything);
        assert_eq!(seen.len(), 1, "the burst was merged: {seen:?}");
        let all: Pending = seen.into_iter().fold(Pending::default(), |mut acc, p| {
            acc.merge(p);
            acc
        });
        assert!(all.host_keys && all.keys.contains(&1) && all.connections.contains(&4));
        assert_eq!(changes.status().passes, 1);
    }

    #[tokio::test]
    async fn a_failed_pass_reports_stale_and_keeps_the_notice_for_the_retry() {
        let changes = Changes::new();
        let writer = changes.clone();
        let first = tokio::spawn(async move {
            let (notice, pending) = writer.take().await;
            writer.failed(notice, pending, "ssh_config: Is a directory".into());
        });
        let ((), stale) = note_stale_files(changes.publish(&[Change::Connection(7)])).await;
        first.await.unwrap();
        assert_eq!(stale.as_deref(), Some("ssh_config: Is a directory"), "the request learns it");
        let (_, retry) = changes.take().await;
        assert!(retry.everything && retry.connections.contains(&7), "kept for the retry: {retry:?}");
        assert_eq!(changes.status().failure.as_deref(), Some("ssh_config: Is a directory"));
    }
}
