//! Accounts over REST: sign-in, users and API tokens.

mod sign_in;
mod tokens;
mod users;

use crate::api::rest::{CHANGE, READ, deny};
use crate::server::access::{Access, GuardedRoutes};
use crate::server::state::AppState;

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .post("/api/auth/login", Access::ANYONE, sign_in::login)
        .get("/api/auth/me", Access::SIGNED_IN_ANY_SCOPE, sign_in::me)
        .post("/api/auth/logout", Access::SIGNED_IN_ANY_SCOPE, sign_in::logout)
        .get("/api/auth/config", Access::ANYONE, sign_in::config)
        .get("/api/users", READ, users::list)
        .post("/api/users", CHANGE, users::create)
        .get("/api/users/{id}", READ, users::get_one)
        .put("/api/users/{id}", CHANGE, users::update)
        .delete("/api/users/{id}", CHANGE, users::delete)
        .get("/api/tokens", READ, tokens::list)
        .post("/api/tokens", READ, tokens::create)
        .delete("/api/tokens/{id}", READ, tokens::revoke)
}
