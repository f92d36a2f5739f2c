//! Pages for people's public keys and repositories with their deploy keys.

mod repositories;
mod repository;
mod user_keys;

pub use repositories::*;
pub use repository::*;
pub use user_keys::*;
