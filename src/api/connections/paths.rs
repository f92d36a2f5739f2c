//! Server functions of the Browse panel: list a directory of a connection's host, make a folder,
//! and take a directory as the connection's backup path. Admins only: a listing shows what the
//! remote account can see, which may be more than a viewer should.

use crate::error::AppError;
use crate::model::RemoteListing;
use leptos::prelude::*;

/// Lists `path` on connection `id` (empty: its backup path, else the login directory). A path
/// that does not exist lists its nearest existing parent and names what is missing.
#[server(prefix = "/rpc", endpoint = "browse_connection", input = leptos::server_fn::codec::GetUrl)]
pub async fn browse_connection(id: i32, path: String) -> Result<RemoteListing, AppError> {
    use crate::model::{RemoteEntry, format_bytes};
    use crate::server::services::connections;
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("browse_connection", BROWSER_ADMIN_SSH)).await?;
    let picked = connections::pick(&state.db, &state.ssh, &state.master_key, id, &path).await?;
    let listing = picked.listing;
    let entries = listing
        .items
        .into_iter()
        .map(|item| RemoteEntry {
            size: if item.is_directory { String::new() } else { format_bytes(item.size) },
            name: item.name,
            path: item.path,
            is_directory: item.is_directory,
            modified: item.modified,
            is_borg_repo: item.is_borg_repo,
            permissions: item.permissions,
        })
        .collect();
    Ok(RemoteListing {
        connection_id: id,
        connection: picked.label,
        current_path: listing.current_path,
        parent_path: listing.parent_path,
        entries,
        truncated: listing.truncated,
        missing: picked.missing,
        backup_path: picked.backup_path,
    })
}

/// Creates `folder_name` in `path` on connection `id`, then shows the new folder.
#[server(prefix = "/rpc", endpoint = "create_connection_folder")]
pub async fn create_connection_folder(id: i32, path: String, folder_name: String) -> Result<String, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("create_connection_folder", BROWSER_ADMIN_SSH)).await?;
    let made = crate::server::services::connections::create_folder(
        &state.db,
        &state.ssh,
        &state.master_key,
        id,
        &path,
        &folder_name,
    )
    .await?;
    leptos_axum::redirect(&crate::model::browse_href(id, &made));
    Ok(made)
}

/// Makes `path` the backup path (`default_path`) of connection `id`, then shows its card.
#[server(prefix = "/rpc", endpoint = "use_backup_path")]
pub async fn use_backup_path(id: i32, path: String) -> Result<(), AppError> {
    use crate::server::services::connections::{self, ConnectionFields, Patch};
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("use_backup_path", BROWSER_ADMIN)).await?;
    let fields = ConnectionFields { default_path: Patch::Set(path), ..ConnectionFields::default() };
    connections::update(&state.db, &state.changes, &caller.actor(), id, &fields).await?;
    leptos_axum::redirect(&format!("/settings/connections#connection-{id}"));
    Ok(())
}

/// Creates `path` with every missing folder above it (the Browse panel's "Create" for a backup
/// path that does not exist yet), then shows the new folder.
#[server(prefix = "/rpc", endpoint = "create_connection_path")]
pub async fn create_connection_path(id: i32, path: String) -> Result<String, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("create_connection_path", BROWSER_ADMIN_SSH)).await?;
    let made =
        crate::server::services::connections::create_path(&state.db, &state.ssh, &state.master_key, id, &path).await?;
    leptos_axum::redirect(&crate::model::browse_href(id, &made));
    Ok(made)
}

/// The backup path of connection `id` when it is missing on the host. A failed check is logged
/// and ignored: the edit is saved and the test has already said whether the host answers.
#[cfg(feature = "ssr")]
pub(super) async fn backup_path_check(state: &crate::server::state::AppState, id: i32) -> Option<String> {
    let checked =
        crate::server::services::connections::missing_backup_path(&state.db, &state.ssh, &state.master_key, id).await;
    checked.unwrap_or_else(|error| {
        tracing::warn!(connection = id, %error, "could not check the backup path");
        None
    })
}
