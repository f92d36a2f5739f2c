//! Health: connections are watched. A scheduler checks every connection on its interval (the
//! global `check_interval_secs` or the connection's own), spread out, within the SSH slots,
//! never beside a manual test of the same connection; the schedule lives in the database
//! (`check_schedule`), so it survives restarts and catches up with one check, not a backlog.
//! Each check lands in the connection's history (see `connections`); after a healthy check the
//! connection's authorized_keys is read again when its last read is old enough, and a change
//! Keyhaven did not make is an alert (see `inventory`). Writes `check_schedule`, `alert_state` and
//! `alert_event`.

mod alerts;
mod figures;
mod overrides;
mod retention;
mod rules;
mod runner;
mod schedule;
mod summary;
mod trend;

pub use alerts::{AUTHORIZED_KEYS_CHANGED, Checked, events, observe, raise_drift};
pub use figures::{ConnectionFigures, Figures, figures};
pub use overrides::{MAX_INTERVAL_SECS, MIN_INTERVAL_SECS, schedule_of, schedule_view, set_interval};
pub use retention::{prune_once, start_pruning};
pub use runner::{Running, Scheduler, start};
pub use summary::{ATTENTION, NEWEST_CHECKS, TALLY, summary};
pub use trend::{days_until_full, timeline};
