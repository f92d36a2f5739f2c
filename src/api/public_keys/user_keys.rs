//! Server functions for "My public keys": every signed-in user manages their own keys.

use crate::error::AppError;
use crate::model::PublicKeyView;
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "list_my_public_keys")]
pub async fn list_my_public_keys() -> Result<Vec<PublicKeyView>, AppError> {
    use crate::server::services::public_keys::{self, KeyOwner};
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("list_my_public_keys", BROWSER_SIGNED_IN)).await?;
    let keys = public_keys::all_keys(&state.db, KeyOwner::User(caller.user.id)).await?;
    Ok(keys.iter().map(public_keys::public_key_view).collect())
}

/// Adds a key pasted as an OpenSSH line or an RFC4716 block.
#[server(prefix = "/rpc", endpoint = "add_my_public_key")]
pub async fn add_my_public_key(title: Option<String>, key: String) -> Result<(), AppError> {
    use crate::server::services::public_keys::{self, KeyOwner, NewPublicKey};
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("add_my_public_key", BROWSER_SIGNED_IN)).await?;
    let new = NewPublicKey { title: title.as_deref(), key: Some(&key), read_only: false };
    let owner = KeyOwner::User(caller.user.id);
    let policy = state.settings.key_policy();
    public_keys::add_key(&state.db, &state.key_cache, &policy, &caller.actor(), owner, new, &caller.user.username)
        .await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "delete_my_public_key")]
pub async fn delete_my_public_key(id: i32) -> Result<(), AppError> {
    use crate::server::services::public_keys::{self, KeyOwner};
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("delete_my_public_key", BROWSER_SIGNED_IN)).await?;
    let owner = KeyOwner::User(caller.user.id);
    public_keys::delete_key(&state.db, &state.key_cache, &caller.actor(), owner, id, &caller.user.username).await?;
    Ok(())
}
