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
