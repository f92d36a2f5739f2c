//! Server functions for Settings → Connections. Viewers see; admins add, edit, test, deploy and
//! delete. Checkboxes arrive as `Some("on")` or nothing, as forms send them.
// A form's fields are a server function's arguments; the `#[server]` macro's generated code does
// not carry a per-function allow, so it is allowed for this file.
#![allow(clippy::too_many_arguments)]

mod paths;

pub use paths::*;

use crate::error::AppError;
use crate::model::{ActionOutcome, ConnectionHealth, ConnectionPage, ConnectionView, ProgressView};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "list_connections")]
pub async fn list_connections() -> Result<Vec<ConnectionView>, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("list_connections", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::connections::list(&state.db).await?)
}

/// One page (25) of connections for Settings → Connections.
#[server(prefix = "/rpc", endpoint = "list_connections_page", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_connections_page(page: u64) -> Result<ConnectionPage, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("list_connections_page", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::connections::page(&state.db, page).await?)
}

/// Counts and the fullest storage, for the Dashboard.
#[server(prefix = "/rpc", endpoint = "get_connection_health", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_connection_health() -> Result<ConnectionHealth, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_connection_health", BROWSER_SIGNED_IN)).await?;
    let health = crate::server::services::connections::health(&state.db, 12).await?;
    Ok(ConnectionHealth { files_stale: state.changes.status().failure, ..health })
}

/// Blank optional fields are left unset (create) or cleared (edit).
#[cfg(feature = "ssr")]
pub(crate) fn fields(form: ConnectionForm) -> crate::server::services::connections::ConnectionFields {
    use crate::server::services::connections::Patch;
    let text = |v: Option<String>| match v.map(|s| s.trim().to_string()) {
        Some(s) if !s.is_empty() => Patch::Set(s),
        _ => Patch::Clear,
    };
    crate::server::services::connections::ConnectionFields {
        host: Patch::Set(form.host),
        username: Patch::Set(form.username),
        port: Patch::Set(form.port.trim().parse().unwrap_or(-1)),
        ssh_key_id: form.ssh_key_id.filter(|id| *id > 0).map(Patch::Set).unwrap_or(Patch::Keep),
        use_sftp_mode: Patch::Set(form.use_sftp_mode.is_some()),
        // Borg UI's setting; the page's form leaves it as it is.
        use_sudo: Patch::Keep,
        default_path: text(form.default_path),
        ssh_path_prefix: text(form.ssh_path_prefix),
        mount_point: text(form.mount_point),
    }
}

/// The fields of the add and edit forms.
#[cfg(feature = "ssr")]
pub(crate) struct ConnectionForm {
    pub host: String,
    pub username: String,
    pub port: String,
    pub ssh_key_id: Option<i32>,
    pub use_sftp_mode: Option<String>,
    pub default_path: Option<String>,
    pub ssh_path_prefix: Option<String>,
    pub mount_point: Option<String>,
}

#[server(prefix = "/rpc", endpoint = "create_connection")]
pub async fn create_connection(
    host: String,
    username: String,
    port: String,
    ssh_key_id: Option<i32>,
    use_sftp_mode: Option<String>,
    default_path: Option<String>,
    ssh_path_prefix: Option<String>,
    mount_point: Option<String>,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("create_connection", BROWSER_ADMIN)).await?;
    let connection =
        ConnectionForm { host, username, port, ssh_key_id, use_sftp_mode, default_path, ssh_path_prefix, mount_point };
    crate::server::services::connections::create(&state.db, &state.changes, &caller.actor(), &fields(connection))
        .await?;
    Ok(())
}

/// Saves the edit and tests the connection again, so the card shows whether it still works; then
/// the page (`page` of the list) is shown again without the edit form, or, when the backup path
/// does not exist on the host, the Browse panel at that path, which offers to create it.
#[server(prefix = "/rpc", endpoint = "update_connection")]
pub async fn update_connection(
    id: i32,
    page: Option<u64>,
    host: String,
    username: String,
    port: String,
    ssh_key_id: Option<i32>,
    use_sftp_mode: Option<String>,
    default_path: Option<String>,
    ssh_path_prefix: Option<String>,
    mount_point: Option<String>,
) -> Result<ActionOutcome, AppError> {
    use crate::server::services::connections;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("update_connection", BROWSER_ADMIN_SSH)).await?;
    let connection =
        ConnectionForm { host, username, port, ssh_key_id, use_sftp_mode, default_path, ssh_path_prefix, mount_point };
    connections::update(&state.db, &state.changes, &caller.actor(), id, &fields(connection)).await?;
    let report =
        connections::test(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), id).await?;
    let missing = match report.connected {
        true => paths::backup_path_check(&state, id).await,
        false => None,
    };
    let mut outcome = test_outcome(report);
    match missing {
        // The Browse panel at the missing path offers to create it.
        Some(path) => {
            outcome.notes.push(format!("The backup path {path} does not exist on the host."));
            leptos_axum::redirect(&crate::model::browse_href(id, &path));
        }
        None => leptos_axum::redirect(&format!("/settings/connections?page={}#connection-{id}", page.unwrap_or(1))),
    }
    Ok(outcome)
}

#[server(prefix = "/rpc", endpoint = "delete_connection")]
pub async fn delete_connection(id: i32) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("delete_connection", BROWSER_ADMIN)).await?;
    crate::server::services::connections::delete(&state.db, &state.changes, &caller.actor(), id).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn test_outcome(report: crate::server::services::connections::TestReport) -> ActionOutcome {
    let message = match &report.error {
        None => "Connection tested successfully".to_string(),
        Some(error) => format!("Connection test failed: {error}"),
    };
    ActionOutcome {
        success: report.connected,
        message,
        notes: report.note.into_iter().collect(),
        stages: report.stages,
    }
}

#[server(prefix = "/rpc", endpoint = "test_connection")]
pub async fn test_connection(id: i32) -> Result<ActionOutcome, AppError> {
    use crate::server::services::connections;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("test_connection", BROWSER_ADMIN_SSH)).await?;
    let report =
        connections::test(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), id).await?;
    Ok(test_outcome(report))
}

/// The stages of the test or deploy running under `key` (`connection:<id>` or the wizard's
/// `setup:connection`), polled by the page while it runs.
#[server(prefix = "/rpc", endpoint = "get_progress", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_progress(key: String) -> Result<ProgressView, AppError> {
    use crate::server::services::setup::PROGRESS_KEY;
    let (state, _caller) = crate::server::context::caller(crate::rpc_rule!("get_progress", BROWSER_ADMIN)).await?;
    let known = key == PROGRESS_KEY || key.strip_prefix("connection:").is_some_and(|id| id.parse::<i32>().is_ok());
    if !known {
        return Err(AppError::invalid("key", "Unknown progress key."));
    }
    Ok(state.ssh.progress.get(&key))
}

#[server(prefix = "/rpc", endpoint = "refresh_connection_storage")]
pub async fn refresh_connection_storage(id: i32) -> Result<(), AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("refresh_connection_storage", BROWSER_ADMIN_SSH)).await?;
    crate::server::services::connections::refresh_storage(&state.db, &state.changes, &state.ssh, &state.master_key, id)
        .await?;
    Ok(())
}

/// Deploys the system key with a one-time password (never stored).
#[server(prefix = "/rpc", endpoint = "redeploy_connection")]
pub async fn redeploy_connection(id: i32, password: String) -> Result<ActionOutcome, AppError> {
    use crate::server::services::connections;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("redeploy_connection", BROWSER_ADMIN_SSH)).await?;
    let password = zeroize::Zeroizing::new(password);
    let report =
        connections::redeploy(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), id, &password)
            .await
            .map_err(crate::server::error::ServiceError::from)?;
    let message =
        if report.already_installed { "The key was already installed" } else { "SSH key deployed successfully" };
    Ok(ActionOutcome { success: true, message: message.into(), notes: report.warnings, stages: report.stages })
}
