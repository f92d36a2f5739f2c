//! Server functions for the Repositories pages: everyone signed in sees the list; the owner and
//! admins manage a repository's deploy keys.

use crate::error::AppError;
use crate::model::{RepositoryDetail, RepositoryView};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "list_repositories")]
pub async fn list_repositories() -> Result<Vec<RepositoryView>, AppError> {
    use crate::server::services::public_keys;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("list_repositories", BROWSER_SIGNED_IN)).await?;
    let mut views = Vec::new();
    for found in public_keys::list_all_repositories(&state.db).await? {
        views.push(public_keys::repository_view(&state.db, &found, &caller.user, caller.role).await?);
    }
    Ok(views)
}

#[server(prefix = "/rpc", endpoint = "create_repository")]
pub async fn create_repository(name: String, description: Option<String>) -> Result<(), AppError> {
    use crate::server::services::public_keys;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("create_repository", BROWSER_SIGNED_IN)).await?;
    let repo =
        public_keys::create_repository(&state.db, &caller.actor(), &caller.user, Some(&name), description.as_deref())
            .await?;
    leptos_axum::redirect(&format!("/settings/repositories/{}/{}", caller.user.username, repo.name));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "get_repository_detail")]
pub async fn get_repository_detail(owner: String, name: String) -> Result<RepositoryDetail, AppError> {
    use crate::server::services::public_keys::{self, KeyOwner};
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("get_repository_detail", BROWSER_SIGNED_IN)).await?;
    let found = public_keys::find_repository(&state.db, &owner, &name).await?;
    let repo = public_keys::repository_view(&state.db, &found, &caller.user, caller.role).await?;
    let deploy_keys = if repo.can_manage {
        public_keys::all_keys(&state.db, KeyOwner::Repository(found.repo.id)).await?
    } else {
        Vec::new()
    };
    Ok(RepositoryDetail { repo, deploy_keys: deploy_keys.iter().map(public_keys::public_key_view).collect() })
}

#[server(prefix = "/rpc", endpoint = "delete_repository")]
pub async fn delete_repository(owner: String, name: String) -> Result<(), AppError> {
    use crate::server::services::public_keys;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("delete_repository", BROWSER_SIGNED_IN)).await?;
    let found = public_keys::find_repository(&state.db, &owner, &name).await?;
    public_keys::require_repo_admin(&found, &caller.user, caller.role)?;
    public_keys::delete_repository(&state.db, &state.key_cache, &caller.actor(), &found).await?;
    leptos_axum::redirect("/settings/repositories");
    Ok(())
}

/// Adds a deploy key; it is read-only unless `allow_write` is ticked.
#[server(prefix = "/rpc", endpoint = "add_deploy_key")]
pub async fn add_deploy_key(
    owner: String,
    name: String,
    title: Option<String>,
    key: String,
    allow_write: Option<String>,
) -> Result<(), AppError> {
    use crate::server::services::public_keys::{self, KeyOwner, NewPublicKey};
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("add_deploy_key", BROWSER_SIGNED_IN)).await?;
    let found = public_keys::find_repository(&state.db, &owner, &name).await?;
    public_keys::require_repo_admin(&found, &caller.user, caller.role)?;
    let new = NewPublicKey { title: title.as_deref(), key: Some(&key), read_only: allow_write.is_none() };
    let target = format!("{owner}/{name}");
    let policy = state.settings.key_policy();
    let repo_owner = KeyOwner::Repository(found.repo.id);
    public_keys::add_key(&state.db, &state.key_cache, &policy, &caller.actor(), repo_owner, new, &target).await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "delete_deploy_key")]
pub async fn delete_deploy_key(owner: String, name: String, id: i32) -> Result<(), AppError> {
    use crate::server::services::public_keys::{self, KeyOwner};
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("delete_deploy_key", BROWSER_SIGNED_IN)).await?;
    let found = public_keys::find_repository(&state.db, &owner, &name).await?;
    public_keys::require_repo_admin(&found, &caller.user, caller.role)?;
    let target = format!("{owner}/{name}");
    public_keys::delete_key(
        &state.db,
        &state.key_cache,
        &caller.actor(),
        KeyOwner::Repository(found.repo.id),
        id,
        &target,
    )
    .await?;
    Ok(())
}
