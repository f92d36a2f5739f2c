//! Pages for accounts: the login page, users and API tokens.

mod login;
mod tokens;
mod users;

pub use login::*;
pub use tokens::*;
pub use users::*;
