//! How many SSH connections Keyhaven opens at once: at most 4 to one SSH server and a global
//! limit, so a burst of tests never trips sshd's `MaxStartups` or its per-source penalties. A
//! server is a host *and port*: behind one address, ports often lead to different machines
//! (port forwards to NAS boxes) or different sshd instances. Every operation that connects holds
//! a slot for its whole duration.

use super::progress::ProgressBoard;
use crate::server::config::{HostKeyPolicy, Settings};
use crate::server::error::ServiceError;
use crate::server::ssh::client::Timeouts;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const PER_HOST: usize = 4;

#[derive(Debug)]
pub struct SshGate {
    pub timeouts: Timeouts,
    /// What first contact with a host whose key was never trusted may do (see `hosts`).
    pub host_key_policy: HostKeyPolicy,
    /// The stages of running operations, for live progress on the page.
    pub progress: Arc<ProgressBoard>,
    global: Arc<Semaphore>,
    /// The global semaphore's size (`ssh_max_connections`).
    max_connections: usize,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Each user's allowance of SSH actions (see [`SshGate::admit`]).
    allowances: Mutex<HashMap<i32, Allowance>>,
    /// One editor at a time per remote account (see [`SshGate::account`]).
    accounts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// One test or scheduled check at a time per connection (see [`SshGate::turn`]).
    turns: Mutex<HashMap<i32, Arc<tokio::sync::Mutex<()>>>>,
}

/// A user's SSH actions: a burst of `BURST`, then one more every `REFILL`.
#[derive(Debug)]
struct Allowance {
    left: f64,
    at: Instant,
}

const BURST: f64 = 60.0;
const REFILL: Duration = Duration::from_secs(1);

/// Permission to hold one connection; released when dropped.
#[derive(Debug)]
pub struct SshSlot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl SshGate {
    pub fn new(settings: &Settings) -> SshGate {
        let secs = Duration::from_secs;
        let max_connections = usize::try_from(settings.ssh_max_connections).unwrap_or(32).max(1);
        SshGate {
            timeouts: Timeouts {
                connect: secs(settings.ssh_connect_timeout_secs),
                auth: secs(settings.ssh_auth_timeout_secs),
                command: secs(settings.ssh_command_timeout_secs),
            },
            host_key_policy: settings.host_key_policy,
            progress: Arc::new(ProgressBoard::default()),
            global: Arc::new(Semaphore::new(max_connections)),
            max_connections,
            per_host: Mutex::new(HashMap::new()),
            allowances: Mutex::new(HashMap::new()),
            accounts: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
        }
    }

    /// Exclusive use of `user@host:port`'s `authorized_keys` while it is read, merged and replaced:
    /// two deploys at once would each write the file they read, and one key would be lost.
    pub async fn account(&self, host: &str, port: u16, user: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.accounts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            map.retain(|_, lock| Arc::strong_count(lock) > 1);
            map.entry(format!("{user}@{}:{port}", host.to_ascii_lowercase())).or_default().clone()
        };
        lock.lock_owned().await
    }

    fn turn_lock(&self, connection_id: i32) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.turns.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(connection_id).or_default().clone()
    }

    /// Connection `connection_id` to itself: a manual Test waits for a scheduled check of the
    /// same connection (and the other way round), so two never race to write its status.
    pub async fn turn(&self, connection_id: i32) -> tokio::sync::OwnedMutexGuard<()> {
        self.turn_lock(connection_id).lock_owned().await
    }

    /// SSH connections open now, and how many may be (for `/metrics`).
    pub fn slots_in_use(&self) -> (usize, usize) {
        (self.max_connections.saturating_sub(self.global.available_permits()), self.max_connections)
    }

    /// The connection's turn if nobody holds it: a scheduled check skips a connection being tested.
    pub fn try_turn(&self, connection_id: i32) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        self.turn_lock(connection_id).try_lock_owned().ok()
    }

    /// Counts one SSH action (a scan, test, deploy or storage check) of `user_id`, or refuses it
    /// with the seconds to wait: nobody, not even an admin's stolen session, can make Keyhaven
    /// hammer hosts faster than that.
    pub fn admit(&self, user_id: i32) -> Result<(), ServiceError> {
        let now = Instant::now();
        let mut map = self.allowances.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let allowance = map.entry(user_id).or_insert(Allowance { left: BURST, at: now });
        let earned = now.duration_since(allowance.at).as_secs_f64() / REFILL.as_secs_f64();
        allowance.left = (allowance.left + earned).min(BURST);
        allowance.at = now;
        if allowance.left >= 1.0 {
            allowance.left -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - allowance.left) * REFILL.as_secs_f64()).ceil();
        Err(ServiceError::TooFast { retry_after_secs: wait as u64 })
    }

    /// Waits for a free slot for `host:port` (that first, so one busy server cannot hold global slots).
    pub async fn slot(&self, host: &str, port: u16) -> Result<SshSlot, ServiceError> {
        self.slots(host, port, 1).await
    }

    /// `count` connections at once (a scan's parallel handshakes). Tokio's semaphores hand out
    /// permits first come, first served, so two callers each holding part of what they need
    /// cannot starve each other.
    pub async fn slots(&self, host: &str, port: u16, count: u32) -> Result<SshSlot, ServiceError> {
        let host_semaphore = {
            let mut map = self.per_host.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            map.entry(format!("{}:{port}", host.to_ascii_lowercase()))
                .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST)))
                .clone()
        };
        let closed = |_| ServiceError::Internal("the SSH connection gate is closed".into());
        let host_permit = host_semaphore.acquire_many_owned(count).await.map_err(closed)?;
        let global_permit = self.global.clone().acquire_many_owned(count).await.map_err(closed)?;
        Ok(SshSlot { _host: host_permit, _global: global_permit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_four_slots_per_host_and_the_global_limit_overall() {
        let settings = Settings { ssh_max_connections: 6, ..Settings::default() };
        let gate = Arc::new(SshGate::new(&settings));
        let mut held = Vec::new();
        for _ in 0..PER_HOST {
            held.push(gate.slot("a.example", 22).await.unwrap());
        }
        let fifth = tokio::time::timeout(Duration::from_millis(50), gate.slot("A.example", 22)).await;
        assert!(fifth.is_err(), "a fifth slot for the same host waits");
        held.push(gate.slot("a.example", 23).await.unwrap()); // another port is another server
        held.push(gate.slot("c.example", 22).await.unwrap());
        let over_global = tokio::time::timeout(Duration::from_millis(50), gate.slot("d.example", 22)).await;
        assert!(over_global.is_err(), "the global limit holds across hosts");
        held.pop();
        assert!(tokio::time::timeout(Duration::from_millis(50), gate.slot("d.example", 22)).await.is_ok());
    }

    #[tokio::test]
    async fn a_scan_takes_its_handshakes_from_the_same_four_per_host() {
        let gate = SshGate::new(&Settings::default());
        let first = gate.slots("scan.example", 22, 2).await.unwrap();
        let _second = gate.slots("scan.example", 22, 2).await.unwrap();
        let waiting = tokio::time::timeout(Duration::from_millis(50), gate.slot("scan.example", 22)).await;
        assert!(waiting.is_err(), "two scans of two handshakes fill the host's four");
        drop(first);
        assert!(tokio::time::timeout(Duration::from_millis(50), gate.slot("scan.example", 22)).await.is_ok());
    }

    #[test]
    fn each_user_has_a_burst_of_ssh_actions_then_waits() {
        let gate = SshGate::new(&Settings::default());
        for _ in 0..60 {
            gate.admit(1).unwrap();
        }
        let Err(ServiceError::TooFast { retry_after_secs }) = gate.admit(1) else { panic!("the 61st is refused") };
        assert_eq!(retry_after_secs, 1);
        assert!(gate.admit(2).is_ok(), "another user has an allowance of their own");
    }

    #[tokio::test]
    async fn one_editor_at_a_time_per_remote_account() {
        let gate = SshGate::new(&Settings::default());
        let held = gate.account("Nas.example", 22, "backup").await;
        let same = tokio::time::timeout(Duration::from_millis(50), gate.account("nas.example", 22, "backup")).await;
        assert!(same.is_err(), "the same account waits");
        let other = tokio::time::timeout(Duration::from_millis(50), gate.account("nas.example", 22, "other")).await;
        assert!(other.is_ok(), "another account does not");
        drop(held);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), gate.account("nas.example", 22, "backup")).await.is_ok()
        );
    }
}
