//! Server functions of the inventory domain: a connection's `authorized_keys` as last read, and
//! reading it again.

use crate::error::AppError;
use crate::model::InventoryView;
use leptos::prelude::*;

/// The newest read of connection `id`'s `authorized_keys`, classified; None before the first.
#[server(prefix = "/rpc", endpoint = "get_inventory", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_inventory(id: i32) -> Result<Option<InventoryView>, AppError> {
    let (state, _caller) = crate::server::context::caller(crate::rpc_rule!("get_inventory", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::inventory::latest(&state.db, id).await?)
}

/// Reads connection `id`'s `authorized_keys` now (read only). A form post lands back on the page.
#[server(prefix = "/rpc", endpoint = "read_inventory")]
pub async fn read_inventory(id: i32) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("read_inventory", BROWSER_ADMIN_SSH)).await?;
    crate::server::services::inventory::read(&state.db, &state.ssh, &state.master_key, &caller.actor(), id).await?;
    leptos_axum::redirect(&format!("/settings/connections/{id}/authorized-keys"));
    Ok(())
}

/// The fleet view: connections whose newest read lets in `fingerprint` (`SHA256:…`, or empty for
/// any) and/or has lines of `class` (empty for any).
#[server(prefix = "/rpc", endpoint = "get_inventory_fleet", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_inventory_fleet(
    fingerprint: String,
    class: String,
) -> Result<Vec<crate::model::FleetEntry>, AppError> {
    use crate::server::services::inventory::{FleetQuery, fleet};
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_inventory_fleet", BROWSER_SIGNED_IN)).await?;
    let query = FleetQuery::parse(Some(&fingerprint), Some(&class))?;
    Ok(fleet(&state.db, &query).await?)
}

/// Removes the exact `line` from connection `id`'s `authorized_keys` (the form asks for a
/// confirmation) and reads the file again; lands back on the page.
#[server(prefix = "/rpc", endpoint = "remove_inventory_line")]
pub async fn remove_inventory_line(id: i32, line: String, confirm: Option<String>) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("remove_inventory_line", BROWSER_ADMIN_SSH)).await?;
    if confirm.is_none() {
        return Err(AppError::invalid("confirm", "Confirm that this key should stop logging in here."));
    }
    let actor = caller.actor();
    crate::server::services::inventory::remove_line(&state.db, &state.ssh, &state.master_key, &actor, id, &line)
        .await?;
    leptos_axum::redirect(&format!("/settings/connections/{id}/authorized-keys"));
    Ok(())
}

/// Adopts the key of `line` (a line of connection `id`'s newest read): imported as `user`'s public
/// key (titled `title`, or its comment), or noted with `note`. Lands back on the page.
#[server(prefix = "/rpc", endpoint = "adopt_inventory_line")]
pub async fn adopt_inventory_line(
    id: i32,
    line: String,
    user: Option<String>,
    title: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    use crate::server::services::inventory::{Adoption, Importing, adopt};
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("adopt_inventory_line", BROWSER_ADMIN)).await?;
    let how = Adoption::asked(user.as_deref(), title.as_deref(), note.as_deref())?;
    let policy = state.settings.key_policy();
    let importing = Importing { cache: &state.key_cache, policy: &policy };
    adopt(&state.db, importing, &caller.actor(), id, &line, how).await?;
    leptos_axum::redirect(&format!("/settings/connections/{id}/authorized-keys"));
    Ok(())
}

/// Every note on a key found in authorized_keys, newest first.
#[server(prefix = "/rpc", endpoint = "get_inventory_notes", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_inventory_notes() -> Result<Vec<crate::model::InventoryNote>, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_inventory_notes", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::inventory::notes(&state.db).await?)
}

/// Forgets the note on `fingerprint`: its key shows as unknown again. Lands on the fleet page.
#[server(prefix = "/rpc", endpoint = "forget_inventory_note")]
pub async fn forget_inventory_note(fingerprint: String) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("forget_inventory_note", BROWSER_ADMIN)).await?;
    crate::server::services::inventory::forget_note(&state.db, &caller.actor(), &fingerprint).await?;
    leptos_axum::redirect("/settings/inventory");
    Ok(())
}

/// The newest read of every connection, with its progress; None before the first.
#[server(prefix = "/rpc", endpoint = "get_inventory_run", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_inventory_run() -> Result<Option<crate::model::InventoryRunView>, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_inventory_run", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::inventory::latest_run(&state.db).await?)
}

/// Starts reading every connection's authorized_keys (one job; the page follows its progress).
#[server(prefix = "/rpc", endpoint = "start_inventory_run")]
pub async fn start_inventory_run() -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("start_inventory_run", BROWSER_ADMIN_SSH)).await?;
    crate::server::services::inventory::start_run(&state.fleet_reader(), &caller.actor()).await?;
    leptos_axum::redirect("/settings/inventory");
    Ok(())
}
