//! sea-orm entities, one per table.

pub mod alert_channel;
pub mod alert_delivery;
pub mod alert_event;
pub mod alert_state;
pub mod api_token;
pub mod app_setting;
pub mod audit_log;
pub mod check_schedule;
pub mod connection_check;
pub mod inventory_note;
pub mod inventory_read;
pub mod inventory_run;
pub mod key_rotation;
pub mod known_host;
pub mod public_key;
pub mod repository;
pub mod rotation_host;
pub mod session;
pub mod ssh_connection;
pub mod ssh_key;
pub mod user;
