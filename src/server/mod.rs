//! Everything that runs only on the server (the `ssr` feature): configuration, database, domain
//! services, authentication and the HTTP router. Pages and components never import this module.

pub mod access;
pub mod auth;
pub mod background;
pub mod cli;
pub mod client_address;
pub mod config;
pub mod context;
pub mod csrf;
pub mod data_lock;
pub mod db;
pub mod entities;
pub mod error;
pub mod gates;
pub mod host_check;
pub mod http_server;
pub mod metrics;
pub mod percent;
pub mod router;
pub mod rpc_status;
pub mod secrets;
pub mod security_headers;
pub mod services;
pub mod session_store;
pub mod sqlite_busy;
pub mod sqlite_memory;
pub mod ssh;
pub mod state;
pub mod throttle;
