//! Managed SSH keys: the system key and named keys, generated or imported, their private halves
//! sealed with the master key (and re-sealed when it rotates), who uses them, and the agent socket
//! that lends them to borg, rsync and ssh. Writes `ssh_key` and the master key id in `app_setting`.

mod agent;
mod files;
mod in_use;
mod master_key;
mod master_key_file;
mod rotation_period;
mod store;
mod succession;
mod usage;

pub use agent::{DatabaseKeys, socket_path, start_agent};
pub use files::read_key_files;
pub use in_use::{private_key, touch_key};
pub use master_key::{check_or_record, recorded_id, reseal_secrets};
pub use master_key_file::{load_master_key, rotate_master_key};
pub use rotation_period::{ROTATION_DUE, WARN_DAYS, announce_due, due_at, due_in_days, due_soon, set_rotation_period};
pub use store::{
    DEFAULT_SYSTEM_NAME, NewKey, SYSTEM_SLOT, aad, generate, get_key, import_text, key_error, list_keys,
    open_private_key, remove_key, store_key, system_key, to_view, update_key, validate_name,
};
pub use succession::succeed;
pub use usage::usage;

/// Facts about a public key that pages and the API show beside it.
pub use crate::server::ssh::keys::{KeySpec, fingerprint_md5, randomart};
