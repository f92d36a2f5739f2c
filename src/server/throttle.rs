//! Failed-login limiting per (account, address) pair and per address, with the attempt reserved
//! before the password is checked.
//!
//! Reserving first means a burst of parallel wrong passwords gets at most the limit of checks, not
//! as many as arrive before the first failure is counted. Limiting the pair (not the account alone)
//! means someone failing from elsewhere cannot lock the owner out: the right password from a fresh
//! address still works. Kept in memory: a restart clears it, which an attacker cannot cause, and a
//! failed login costs no database write beyond its audit row.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct ThrottleLimits {
    /// Attempts for one account from one address per window.
    pub per_pair: u32,
    /// Attempts from one address, over every account, per window.
    pub per_address: u32,
    pub window: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits { per_pair: 5, per_address: 20, window: Duration::from_secs(15 * 60) }
    }
}

#[derive(Debug)]
struct Counter {
    count: u32,
    first_at: Instant,
    /// Whether this window's first refusal was already reported (one audit row per window).
    refusal_reported: bool,
}

/// Why an attempt was not allowed, and whether it is the first refusal of its window.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub retry_after_secs: u64,
    pub first_in_window: bool,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    limits: ThrottleLimits,
    counters: Mutex<HashMap<String, Counter>>,
}

/// A reserved attempt: counted as failed unless it is settled as a success or refunded.
#[must_use]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    keys: [String; 2],
}

impl Attempt<'_> {
    /// The password was right: the pair starts afresh and the address gets its attempt back.
    pub fn succeeded(self) {
        self.throttle.adjust(&self.keys, true);
    }

    /// The password was never checked (the server was busy): the attempt is given back.
    pub fn refund(self) {
        self.throttle.adjust(&self.keys, false);
    }
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        LoginThrottle { limits, counters: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt before the password is checked, or refuses it while the pair or the
    /// address is over its limit.
    pub fn reserve(&self, account: &str, address: &str) -> Result<Attempt<'_>, Refusal> {
        let now = Instant::now();
        let keys = [format!("pair:{}\u{0}{address}", account.trim().to_lowercase()), format!("address:{address}")];
        let Ok(mut map) = self.counters.lock() else {
            return Err(Refusal { retry_after_secs: 1, first_in_window: false });
        };
        let window = self.limits.window;
        if map.len() > 10_000 {
            map.retain(|_, c| now.duration_since(c.first_at) < window);
        }
        let limits = [self.limits.per_pair, self.limits.per_address];
        let mut refusal: Option<Refusal> = None;
        for (key, limit) in keys.iter().zip(limits) {
            let counter =
                map.entry(key.clone()).or_insert(Counter { count: 0, first_at: now, refusal_reported: false });
            if now.duration_since(counter.first_at) >= window {
                *counter = Counter { count: 0, first_at: now, refusal_reported: false };
            }
            if counter.count >= limit {
                let wait = window.saturating_sub(now.duration_since(counter.first_at)).as_secs().max(1);
                let first = !counter.refusal_reported;
                counter.refusal_reported = true;
                let worse = refusal.as_ref().is_none_or(|r| wait > r.retry_after_secs);
                if worse {
                    let first_in_window = first || refusal.as_ref().is_some_and(|r| r.first_in_window);
                    refusal = Some(Refusal { retry_after_secs: wait, first_in_window });
                }
            }
        }
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        for key in &keys {
            if let Some(counter) = map.get_mut(key) {
                counter.count += 1;
            }
        }
        Ok(Attempt { throttle: self, keys })
    }

    /// Gives back one attempt on each key, or (`clear_first`) forgets the pair entirely.
    fn adjust(&self, keys: &[String], clear_first: bool) {
        let Ok(mut map) = self.counters.lock() else { return };
        for (i, key) in keys.iter().enumerate() {
            if clear_first && i == 0 {
                map.remove(key);
            } else if let Some(counter) = map.get_mut(key) {
                counter.count = counter.count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_pair: u32, per_address: u32) -> LoginThrottle {
        LoginThrottle::new(ThrottleLimits { per_pair, per_address, window: Duration::from_secs(600) })
    }

    #[test]
    fn a_pair_is_refused_after_its_limit_but_the_owner_elsewhere_is_not() {
        let t = throttle(3, 100);
        for _ in 0..3 {
            let _failed = t.reserve("alice", "1.2.3.4").unwrap();
        }
        let refusal = t.reserve("Alice", "1.2.3.4").err().unwrap();
        assert!(refusal.retry_after_secs > 500 && refusal.retry_after_secs <= 600);
        assert!(refusal.first_in_window);
        assert!(!t.reserve("alice", "1.2.3.4").err().unwrap().first_in_window, "reported once per window");
        assert!(t.reserve("alice", "5.6.7.8").is_ok(), "the right password from another address still works");
        assert!(t.reserve("bob", "1.2.3.4").is_ok());
    }

    #[test]
    fn an_address_is_refused_across_accounts() {
        let t = throttle(100, 2);
        let _a = t.reserve("a", "9.9.9.9").unwrap();
        let _b = t.reserve("b", "9.9.9.9").unwrap();
        assert!(t.reserve("c", "9.9.9.9").is_err());
        assert!(t.reserve("c", "8.8.8.8").is_ok());
    }

    #[test]
    fn a_success_clears_the_pair_and_gives_the_address_its_attempt_back() {
        let t = throttle(2, 2);
        let _failed = t.reserve("a", "1.1.1.1").unwrap();
        t.reserve("a", "1.1.1.1").unwrap().succeeded();
        t.reserve("a", "1.1.1.1").unwrap().refund();
        let _again = t.reserve("a", "1.1.1.1").unwrap();
        assert!(t.reserve("a", "1.1.1.1").is_err(), "two failures held");
    }

    #[test]
    fn parallel_reservations_never_exceed_the_limit() {
        let t = std::sync::Arc::new(throttle(5, 100));
        let granted = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|scope| {
            for _ in 0..40 {
                scope.spawn(|| {
                    if let Ok(attempt) = t.reserve("admin", "1.2.3.4") {
                        granted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        drop(attempt);
                    }
                });
            }
        });
        assert_eq!(granted.into_inner(), 5);
    }
}
