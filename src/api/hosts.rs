//! Server functions for Settings → Known hosts: scan (side-effect free, so the page runs it from
//! its URL and it works without JavaScript), trust, replace and remove (admins).

use crate::error::AppError;
use crate::model::{HostKeyPolicy, KnownHostPage, ScanView};
use leptos::prelude::*;

/// One page (50) of trusted keys for Settings → Known hosts.
#[server(prefix = "/rpc", endpoint = "list_known_hosts", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_known_hosts(page: u64) -> Result<KnownHostPage, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("list_known_hosts", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::hosts::page(&state.db, page).await?)
}

/// The `host_key_policy` setting, which the Known hosts page states.
#[server(prefix = "/rpc", endpoint = "get_host_key_policy", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_host_key_policy() -> Result<HostKeyPolicy, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_host_key_policy", BROWSER_SIGNED_IN)).await?;
    Ok(state.ssh.host_key_policy)
}

#[server(prefix = "/rpc", endpoint = "scan_known_host")]
pub async fn scan_known_host(host: String, port: u16) -> Result<ScanView, AppError> {
    use crate::server::services::hosts;
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("scan_known_host", BROWSER_ADMIN_SSH)).await?;
    let result = hosts::scan_host(&state.db, &state.ssh, &host, i64::from(port)).await?;
    let randomart = result
        .keys
        .iter()
        .map(|k| crate::server::services::keys::randomart(&k.public_key).unwrap_or_default())
        .collect();
    Ok(ScanView { host: host.trim().to_ascii_lowercase(), port, result, randomart })
}

#[server(prefix = "/rpc", endpoint = "trust_known_host")]
pub async fn trust_known_host(host: String, port: u16, public_key: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("trust_known_host", BROWSER_ADMIN)).await?;
    crate::server::services::hosts::trust(
        &state.db,
        &state.changes,
        &state.ssh,
        &caller.actor(),
        &host,
        i64::from(port),
        &public_key,
    )
    .await?;
    Ok(())
}

/// Replaces every key trusted for the host of `id` with `public_key` (which it offers now).
#[server(prefix = "/rpc", endpoint = "replace_known_host")]
pub async fn replace_known_host(id: i32, public_key: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("replace_known_host", BROWSER_ADMIN)).await?;
    crate::server::services::hosts::replace(&state.db, &state.changes, &state.ssh, &caller.actor(), id, &public_key)
        .await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "remove_known_host")]
pub async fn remove_known_host(id: i32) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("remove_known_host", BROWSER_ADMIN)).await?;
    crate::server::services::hosts::remove(&state.db, &state.changes, &caller.actor(), id).await?;
    Ok(())
}
