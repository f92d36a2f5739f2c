//! Server functions of the health domain: the summary the Dashboard and the Health page show.

use crate::error::AppError;
use crate::model::HealthSummary;
use leptos::prelude::*;

/// Every connection by its newest check, and what needs attention first.
#[server(prefix = "/rpc", endpoint = "get_health_summary", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_health_summary() -> Result<HealthSummary, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_health_summary", BROWSER_SIGNED_IN)).await?;
    Ok(crate::server::services::health::summary(&state.db, state.settings.check_interval_secs).await?)
}
