//! Connections to remote hosts: their records and lists, and what the Test, Deploy and storage
//! buttons do on the host (log in with the trusted host key, probe, install the key). Writes
//! `ssh_connection`.

mod actions;
mod borg;
mod browse;
mod by_key;
mod deploy;
mod diagnostics;
mod fields;
mod history;
mod key_removal;
mod key_switch;
mod lists;
mod login;
mod picker;
mod probe;
mod scheduled;
mod store;

pub use actions::{redeploy, refresh_storage};
pub use borg::{BorgCheck, verify_borg};
pub use browse::{BrowseItem, Listing, PathCheck, browse, check_path, create_folder, find_connection};
pub use by_key::{KeyOnHost, KeyOnHostError, KeyOnHostOutcome, deploy_key_on_host, test_key_on_host};
pub use deploy::{Deploy, DeployFailure, DeployReport, install};
pub use diagnostics::{Diagnostics, DiagnosticsRequest, diagnose};
pub use history::{Trigger, checks, prune_checks};
pub use key_removal::{KEY_DELETED_MESSAGE, delete_key, key_users};
pub use key_switch::{Switched, switch_key};
pub use lists::{PER_PAGE, health, list, page};
pub use login::{Opened, Target, connection_target, login_with_key, open_connection, open_verified, target_of};
pub use picker::{Picked, create_path, missing_backup_path, pick};
pub use probe::{RESTRICTED_NOTE, TestReport, test};
pub use scheduled::{CheckRun, scheduled_check};
pub use store::{
    ConnectionFields, Patch, check_new, create, create_view, delete, get, get_view, get_with_key, insert_connection,
    label, label_of, mark_connected, reset_interrupted_tests, to_view, to_view_named, update, validate_path,
    validate_username,
};
