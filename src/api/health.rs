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

/// One connection's newest checks, schedule and storage forecast, for its page.
#[server(prefix = "/rpc", endpoint = "get_connection_timeline", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_connection_timeline(id: i32) -> Result<crate::model::ConnectionTimeline, AppError> {
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_connection_timeline", BROWSER_SIGNED_IN)).await?;
    let global = state.settings.check_every().num_seconds();
    Ok(crate::server::services::health::timeline(&state.db, id, global).await?)
}

/// Sets connection `id`'s own check interval from the page's form: empty follows the global
/// interval, `0` turns its checks off, else seconds (60 to a year).
#[server(prefix = "/rpc", endpoint = "set_check_interval")]
pub async fn set_check_interval(id: i32, interval_secs: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("set_check_interval", BROWSER_ADMIN)).await?;
    let interval = match interval_secs.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::invalid("interval_secs", "Choose how often to check this connection."))?,
        ),
    };
    let global = state.settings.check_every().max(chrono::Duration::seconds(1));
    crate::server::services::health::set_interval(&state.db, &caller.actor(), id, interval, global).await?;
    leptos_axum::redirect(&format!("/settings/connections/{id}"));
    Ok(())
}
