//! Trusted host keys: scanning a host, trusting, replacing and removing its keys, and importing an
//! OpenSSH `known_hosts` file. Writes `known_host`. Nothing logs in to a host that is not here.

mod first_contact;
mod import;
mod trusted;

pub use first_contact::{ContactError, HostNotTrusted, first_contact};
pub use import::{ImportReport, ParsedLine, Skipped, import, parse_line};
pub use trusted::{
    PER_PAGE, SCAN_TIMEOUT, export, list, openssh_name, page, remove, replace, scan_error, scan_host, to_view, trust,
    trusted_for, trusted_row, validate_host, validate_port,
};
