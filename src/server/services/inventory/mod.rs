//! The inventory domain: what really sits in each connection's `~/.ssh/authorized_keys`. A read
//! logs in with the connection's key and only reads (SFTP or shell, as the connection is set);
//! every line is classified by fingerprint — this Keyhaven's keys, another Keyhaven's, a person's
//! public key with its owner, a deploy key, unknown — with its options and comment, duplicates
//! pointed out, and the drift since the read before. Operators adopt what they
//! find: a key imported as a person's, or noted. Reading every connection is
//! a resumable job. Writes `inventory_reads`, `inventory_notes` and `inventory_runs`.

mod adoption;
mod classify;
mod fleet;
mod known;
mod reads;
mod removal;
mod runs;
mod watch;

pub use adoption::{Adoption, Importing, MAX_NOTE, adopt, forget_note, notes};
pub use classify::{Holder, Known, classify, drift};
pub use fleet::{FleetQuery, fleet};
pub use reads::{latest, read};
pub use removal::remove_line;
pub use runs::{FleetReader, latest_run, resume_runs, run_view, start_run};
pub use watch::watch;
