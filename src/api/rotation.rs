//! Server functions of the rotation domain: the rotations, one with its hosts, and starting one.

use crate::error::AppError;
use crate::model::RotationView;
use leptos::prelude::*;

/// Every rotation, newest first (without their hosts).
#[server(prefix = "/rpc", endpoint = "get_rotations", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_rotations() -> Result<Vec<RotationView>, AppError> {
    let (state, _caller) = crate::server::context::caller(crate::rpc_rule!("get_rotations", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::rotation::list(&state.db).await?)
}

/// Rotation `id` with the state of every connection it moves.
#[server(prefix = "/rpc", endpoint = "get_rotation", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_rotation(id: i32) -> Result<RotationView, AppError> {
    let (state, _caller) = crate::server::context::caller(crate::rpc_rule!("get_rotation", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::rotation::view(&state.db, id).await?)
}

/// Starts rotating key `key_id` (`key_type` empty: the old key's type; `dry_run` a checkbox) and
/// lands on the rotation's page, where it can be watched.
#[server(prefix = "/rpc", endpoint = "start_rotation")]
pub async fn start_rotation(key_id: i32, key_type: String, dry_run: Option<String>) -> Result<(), AppError> {
    use crate::server::services::rotation::{StartRotation, start};
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("start_rotation", BROWSER_ADMIN_SSH)).await?;
    let key_type = Some(key_type.trim().to_string()).filter(|t| !t.is_empty());
    let request = StartRotation { dry_run: dry_run.is_some(), key_type, bits: None };
    let view = start(&state.rotator(), &caller.actor(), key_id, request).await?;
    leptos_axum::redirect(&format!("/settings/rotations/{}", view.id));
    Ok(())
}

/// Lands back on rotation `id`'s page after one of its actions (a form post without JavaScript).
#[cfg(feature = "ssr")]
fn back_to(id: i32) {
    leptos_axum::redirect(&format!("/settings/rotations/{id}"));
}

/// The failed connections of rotation `id` go on from where each stopped.
#[server(prefix = "/rpc", endpoint = "retry_rotation")]
pub async fn retry_rotation(id: i32) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("retry_rotation", BROWSER_ADMIN_SSH)).await?;
    crate::server::services::rotation::retry(&state.rotator(), &caller.actor(), id).await?;
    back_to(id);
    Ok(())
}

/// Every connection of rotation `id` goes back to the old key.
#[server(prefix = "/rpc", endpoint = "roll_back_rotation")]
pub async fn roll_back_rotation(id: i32) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("roll_back_rotation", BROWSER_ADMIN_SSH)).await?;
    crate::server::services::rotation::roll_back(&state.rotator(), &caller.actor(), id).await?;
    back_to(id);
    Ok(())
}

/// Retires rotation `id`'s old key now (the form asks for a confirmation first).
#[server(prefix = "/rpc", endpoint = "retire_rotation")]
pub async fn retire_rotation(id: i32, confirm: Option<String>) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("retire_rotation", BROWSER_ADMIN)).await?;
    if confirm.is_none() {
        return Err(AppError::invalid("confirm", "Confirm that the connections still on the old key may break."));
    }
    crate::server::services::rotation::retire(&state.rotator(), &caller.actor(), id).await?;
    back_to(id);
    Ok(())
}

/// Leaves connection `connection_id` out of rotation `id` (it stays on the old key).
#[server(prefix = "/rpc", endpoint = "skip_rotation_connection")]
pub async fn skip_rotation_connection(id: i32, connection_id: i32) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("skip_rotation_connection", BROWSER_ADMIN)).await?;
    crate::server::services::rotation::skip(&state.rotator(), &caller.actor(), id, connection_id).await?;
    back_to(id);
    Ok(())
}

/// Deploys rotation `id`'s new key to connection `connection_id` with a one-time password.
#[server(prefix = "/rpc", endpoint = "deploy_rotation_connection")]
pub async fn deploy_rotation_connection(id: i32, connection_id: i32, password: String) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("deploy_rotation_connection", BROWSER_ADMIN_SSH)).await?;
    let password = zeroize::Zeroizing::new(password);
    let ctx = state.rotator();
    crate::server::services::rotation::deploy_with_password(&ctx, &caller.actor(), id, connection_id, &password)
        .await?;
    back_to(id);
    Ok(())
}
