//! Failed-login limiting, per account and per client address.
//!
//! Kept in memory: a restart clears it, which is acceptable because an attacker cannot restart the
//! server, and it keeps a failed login from costing a database write.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct ThrottleLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits { per_account: 5, per_address: 20, window: Duration::from_secs(15 * 60) }
    }
}

#[derive(Debug)]
struct Failures {
    count: u32,
    first_at: Instant,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    limits: ThrottleLimits,
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        LoginThrottle { limits, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds)` when either the account or the address is locked out.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(map) = self.failures.lock() else { return Ok(()) };
        let mut wait = 0u64;
        for (key, limit) in self.limited_keys(account, address) {
            if let Some(f) = map.get(&key) {
                let age = now.duration_since(f.first_at);
                if f.count >= limit && age < self.limits.window {
                    wait = wait.max((self.limits.window - age).as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() > 10_000 {
            let window = self.limits.window;
            map.retain(|_, f| now.duration_since(f.first_at) < window);
        }
        for (key, _) in self.limited_keys(account, address) {
            let entry = map.entry(key).or_insert(Failures { count: 0, first_at: now });
            if now.duration_since(entry.first_at) >= self.limits.window {
                *entry = Failures { count: 0, first_at: now };
            }
            entry.count += 1;
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("account:{}", account.to_ascii_lowercase()));
        }
    }

    fn limited_keys(&self, account: &str, address: &str) -> [(String, u32); 2] {
        [
            (format!("account:{}", account.trim().to_ascii_lowercase()), self.limits.per_account),
            (format!("address:{address}"), self.limits.per_address),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_its_limit_and_other_accounts_do_not() {
        let throttle =
            LoginThrottle::new(ThrottleLimits { per_account: 3, per_address: 100, window: Duration::from_secs(600) });
        for _ in 0..3 {
            assert!(throttle.check("alice", "1.2.3.4").is_ok());
            throttle.record_failure("alice", "1.2.3.4");
        }
        let wait = throttle.check("Alice", "5.6.7.8").unwrap_err();
        assert!(wait > 500 && wait <= 600);
        assert!(throttle.check("bob", "1.2.3.4").is_ok());
    }

    #[test]
    fn an_address_locks_across_accounts() {
        let throttle =
            LoginThrottle::new(ThrottleLimits { per_account: 100, per_address: 2, window: Duration::from_secs(60) });
        throttle.record_failure("a", "9.9.9.9");
        throttle.record_failure("b", "9.9.9.9");
        assert!(throttle.check("c", "9.9.9.9").is_err());
        assert!(throttle.check("c", "8.8.8.8").is_ok());
    }
}
