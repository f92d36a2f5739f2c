//! Reusable view pieces. Components see `model`, `error` and server functions, never the server.

pub mod feedback;
pub mod layout;
