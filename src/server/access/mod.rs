//! Authorization: one rule per entry point, one function that applies it.
//!
//! A REST route is registered with its rule (`GuardedRoutes`), a server function states its rule as
//! its body starts (`rpc_rule!`), pages are behind the page gate. All three end in
//! [`authorize`], and [`table`] lists every rule (`docs/authorization.md`). Server functions are
//! the browser's interface: bearer tokens are refused there (403, pointing at the REST API), so a
//! token's scopes bound everything it can do.

mod rest;
mod rpc;
mod rule;
mod table;

pub use rest::{Deny, GuardedRoutes, Unrouted, answer_unrouted};
pub use rpc::{RPC_PREFIX, RpcRule, rpc_guard, rpc_rule_of};
pub use rule::{Access, TOKEN_REFUSED, Tokens, Who, authorize};
pub use table::{Entry, EntryKind, markdown, rpc_entries};
