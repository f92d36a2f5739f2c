//! Server functions for accounts: sign-in and sign-out, users, and API tokens. Each file is one
//! page area; the glob re-exports keep the generated server-function types at `api::accounts::X`.

mod sign_in;
mod tokens;
mod users;

pub use sign_in::*;
pub use tokens::*;
pub use users::*;
