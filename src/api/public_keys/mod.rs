//! Server functions for people's public keys and repositories' deploy keys; the same domain is
//! reachable over REST in GitHub's shapes under `rest::public_keys`.

mod repositories;
mod user_keys;

pub use repositories::*;
pub use user_keys::*;
