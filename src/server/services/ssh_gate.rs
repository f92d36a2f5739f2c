//! How many SSH connections Keyhaven opens at once: at most 4 to one SSH server and a global
//! limit, so a burst of tests never trips sshd's `MaxStartups` or its per-source penalties. A
//! server is a host *and port*: behind one address, ports often lead to different machines
//! (port forwards to NAS boxes) or different sshd instances. Every operation that connects holds
//! a slot for its whole duration.

use super::ssh_progress::ProgressBoard;
use crate::server::config::Settings;
use crate::server::error::ServiceError;
use crate::server::ssh::client::Timeouts;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const PER_HOST: usize = 4;

#[derive(Debug)]
pub struct SshGate {
    pub timeouts: Timeouts,
    /// The stages of running operations, for live progress on the page.
    pub progress: Arc<ProgressBoard>,
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Permission to hold one connection; released when dropped.
#[derive(Debug)]
pub struct SshSlot {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl SshGate {
    pub fn new(settings: &Settings) -> SshGate {
        let secs = Duration::from_secs;
        SshGate {
            timeouts: Timeouts {
                connect: secs(settings.ssh_connect_timeout_secs),
                auth: secs(settings.ssh_auth_timeout_secs),
                command: secs(settings.ssh_command_timeout_secs),
            },
            progress: Arc::new(ProgressBoard::default()),
            global: Arc::new(Semaphore::new(usize::try_from(settings.ssh_max_connections).unwrap_or(32).max(1))),
            per_host: Mutex::new(HashMap::new()),
        }
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
}
