//! Reusable view pieces. Components see `model`, `error` and server functions, never the server.

pub mod alerts;
pub mod connections;
pub mod copy_button;
pub mod feedback;
pub mod form_action;
pub mod health;
pub mod hosts;
pub mod inventory;
pub mod inventory_actions;
pub mod keys;
pub mod layout;
pub mod live_progress;
pub mod page_resource;
pub mod pager;
pub mod post_form;
pub mod public_keys;
pub mod rotation;
pub mod settled;
pub mod toasts;
pub mod when;
