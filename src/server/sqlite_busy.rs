//! How an SQLite connection waits for the write lock.
//!
//! SQLite lets one writer in at a time; a connection that finds the lock taken calls its busy
//! handler and tries again. SQLite's own handler (what `busy_timeout` installs) sleeps 1, 2, 5,
//! 10, 15, 20, 25 … ms between tries, while a Keyhaven write holds the lock for a fraction of a
//! millisecond: measured with 8 clients creating connections, the SQLite threads slept about once
//! per request and a third of the machine stood idle while requests waited for a lock that had long
//! been free. This handler tries again after 50 µs, doubling to at most 1 ms, and gives up after
//! the same 5 seconds as before (the request then gets SQLite's "database is locked").
//!
//! It is installed on every connection of Keyhaven's SQLite pools as the connection opens.

use libsqlite3_sys as sqlite;
use std::ffi::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a connection keeps trying before its statement fails as locked.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const FIRST_PAUSE_MICROS: u64 = 50;
const LONGEST_PAUSE_MICROS: u64 = 1_000;
/// Tries whose pause doubles; the pause after each later one is [`LONGEST_PAUSE_MICROS`].
const DOUBLINGS: u32 = 5;

/// Pauses taken since start: how often a write found the lock taken (what a test reads to see
/// that a wait went through this handler).
static PAUSES: AtomicU64 = AtomicU64::new(0);

/// The pause before the next try after `tries` failed ones, or `None` once the pauses so far add
/// up to [`BUSY_TIMEOUT`].
fn pause_after(tries: u32) -> Option<Duration> {
    let waited = (0..tries.min(DOUBLINGS)).map(pause).sum::<u64>()
        + u64::from(tries.saturating_sub(DOUBLINGS)) * LONGEST_PAUSE_MICROS;
    (Duration::from_micros(waited) < BUSY_TIMEOUT).then(|| Duration::from_micros(pause(tries)))
}

fn pause(tries: u32) -> u64 {
    if tries < DOUBLINGS { FIRST_PAUSE_MICROS << tries } else { LONGEST_PAUSE_MICROS }
}

/// Called by SQLite on the connection's own thread; returning 0 makes the statement fail as busy.
extern "C" fn wait_for_lock(_: *mut c_void, tries: c_int) -> c_int {
    match pause_after(u32::try_from(tries).unwrap_or(u32::MAX)) {
        Some(pause) => {
            PAUSES.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(pause);
            1
        }
        None => 0,
    }
}

/// Makes `connection` wait for the write lock with short pauses (replacing `busy_timeout`'s).
pub fn install(connection: NonNull<sqlite::sqlite3>) -> Result<(), String> {
    // SAFETY: the handle is an open connection, locked for the caller (sqlx's `lock_handle`), and
    // the handler is a plain function that reads no user data.
    let code = unsafe { sqlite::sqlite3_busy_handler(connection.as_ptr(), Some(wait_for_lock), std::ptr::null_mut()) };
    if code == sqlite::SQLITE_OK { Ok(()) } else { Err(format!("sqlite3_busy_handler returned {code}")) }
}

/// Pauses taken since start (see [`PAUSES`]).
pub fn pauses() -> u64 {
    PAUSES.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_start_short_stay_short_and_end_at_the_timeout() {
        assert_eq!(pause_after(0), Some(Duration::from_micros(50)));
        assert_eq!(pause_after(1), Some(Duration::from_micros(100)));
        assert_eq!(pause_after(4), Some(Duration::from_micros(800)));
        assert_eq!(pause_after(5), Some(Duration::from_millis(1)), "capped at 1 ms");
        assert_eq!(pause_after(100), Some(Duration::from_millis(1)));
        // 50+100+200+400+800 µs, then 1 ms each: after try 5,004 the pauses add up to 5 s.
        let last = (0..10_000).take_while(|t| pause_after(*t).is_some()).last();
        assert_eq!(last, Some(5_003));
        assert_eq!(pause_after(u32::MAX), None, "never overflows");
    }
}
