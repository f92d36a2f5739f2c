//! SQLite's memory: mimalloc instead of glibc's malloc, and no global memory statistics.
//!
//! Why: sqlx copies every column of every row it reads (`sqlite3_value_dup`) on the connection's
//! worker thread and frees the copy on the thread that rendered the page. With glibc's malloc
//! behind SQLite, those copies fought over glibc's arena locks, and SQLite's memory statistics
//! (on by default) take one more global mutex around every allocation: perf put a tenth of a
//! Connections page render there. mimalloc, Keyhaven's allocator for everything else, frees
//! across threads without a lock, and nothing in Keyhaven reads SQLite's statistics.
//!
//! SQLite accepts these settings only before its first connection opens; [`configure`] runs once,
//! before the pool connects, and a late call (a test process that opened SQLite already) leaves
//! the defaults, which work the same, only slower.

use libsqlite3_sys as sqlite;
use std::ffi::{c_int, c_void};
use std::sync::Once;

unsafe extern "C" fn allocate(bytes: c_int) -> *mut c_void {
    // SQLite never asks for zero or negative sizes; `max(1)` keeps the cast sound regardless.
    unsafe { libmimalloc_sys::mi_malloc(usize::try_from(bytes.max(1)).unwrap_or(1)) }
}

unsafe extern "C" fn free(block: *mut c_void) {
    unsafe { libmimalloc_sys::mi_free(block) }
}

unsafe extern "C" fn reallocate(block: *mut c_void, bytes: c_int) -> *mut c_void {
    unsafe { libmimalloc_sys::mi_realloc(block, usize::try_from(bytes.max(1)).unwrap_or(1)) }
}

unsafe extern "C" fn size_of(block: *mut c_void) -> c_int {
    let size = unsafe { libmimalloc_sys::mi_usable_size(block) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

/// What an allocation of `bytes` will really hold: mimalloc's blocks are multiples of 8 bytes.
extern "C" fn round_up(bytes: c_int) -> c_int {
    bytes.saturating_add(7) & !7
}

extern "C" fn init(_: *mut c_void) -> c_int {
    sqlite::SQLITE_OK
}

extern "C" fn shutdown(_: *mut c_void) {}

/// Routes SQLite's allocations to mimalloc and turns its memory statistics off, once per process.
pub fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let methods = sqlite::sqlite3_mem_methods {
            xMalloc: Some(allocate),
            xFree: Some(free),
            xRealloc: Some(reallocate),
            xSize: Some(size_of),
            xRoundup: Some(round_up),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: both options are documented for use before `sqlite3_initialize`; SQLite copies
        // `methods` before the call returns, and after initialisation it refuses them
        // (SQLITE_MISUSE) without changing anything.
        let statistics = unsafe { sqlite::sqlite3_config(sqlite::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) };
        let allocator = unsafe { sqlite::sqlite3_config(sqlite::SQLITE_CONFIG_MALLOC, &methods) };
        if statistics != sqlite::SQLITE_OK || allocator != sqlite::SQLITE_OK {
            tracing::debug!(statistics, allocator, "SQLite was already initialised; its allocator stays");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_hold_what_sqlite_asked_for() {
        assert_eq!((round_up(1), round_up(8), round_up(9), round_up(c_int::MAX)), (8, 8, 16, c_int::MAX & !7));
        unsafe {
            let block = allocate(100);
            assert!(!block.is_null() && size_of(block) >= 100 && size_of(block) >= round_up(100));
            let grown = reallocate(block, 5000);
            assert!(size_of(grown) >= 5000);
            free(grown);
        }
    }
}
