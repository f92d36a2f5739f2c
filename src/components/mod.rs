//! Reusable view pieces. Components see `model`, `error` and server functions, never the server.

pub mod connection_card;
pub mod connection_form;
pub mod copy_button;
pub mod feedback;
pub mod form_action;
pub mod key_actions;
pub mod key_card;
pub mod key_table;
pub mod layout;
pub mod live_progress;
pub mod offered_keys;
pub mod page_resource;
pub mod pager;
pub mod post_form;
pub mod public_key_table;
pub mod settled;
pub mod toasts;
pub mod when;
