//! Server functions of the alerts domain: the channels of Settings → Alerts. Form posts work
//! without JavaScript (each answers with a redirect back to the page).

use crate::error::AppError;
use crate::model::ChannelWithDeliveries;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const PAGE: &str = "/settings/alerts";

/// Deliveries shown per channel on the page (the API pages through all of them).
#[cfg(feature = "ssr")]
const RECENT_DELIVERIES: u64 = 10;

/// Every channel, by name, without secrets, with its newest deliveries.
#[server(prefix = "/rpc", endpoint = "list_alert_channels", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_alert_channels() -> Result<Vec<ChannelWithDeliveries>, AppError> {
    use crate::server::services::alerts;
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("list_alert_channels", BROWSER_ADMIN)).await?;
    let mut listed = Vec::new();
    for channel in alerts::list(&state.db).await? {
        let page = alerts::deliveries(&state.db, channel.id, RECENT_DELIVERIES, 1).await?;
        listed.push(ChannelWithDeliveries {
            channel: alerts::view(&channel),
            recent: page.rows.iter().map(alerts::delivery_view).collect(),
            total: page.total,
        });
    }
    Ok(listed)
}

/// A form field: blank is "not given".
#[cfg(feature = "ssr")]
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// A form's whole number: blank is "not given", anything else must parse (422 naming `field`).
#[cfg(feature = "ssr")]
fn number(value: Option<String>, field: &'static str, message: &str) -> Result<Option<i64>, AppError> {
    given(value).map(|v| v.trim().parse::<i64>().map_err(|_| AppError::invalid(field, message))).transpose()
}

/// Adds a channel from the page's form; `to` is one address per line or comma-separated.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/rpc", endpoint = "create_alert_channel")]
pub async fn create_alert_channel(
    name: String,
    kind: String,
    url: Option<String>,
    secret: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<String>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    to: Option<String>,
    digest_minutes: Option<String>,
) -> Result<(), AppError> {
    use crate::server::services::alerts;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("create_alert_channel", BROWSER_ADMIN)).await?;
    let input = alerts::ChannelInput {
        name: Some(name),
        kind: Some(kind),
        enabled: Some(true),
        url: given(url),
        secret: given(secret),
        smtp_host: given(smtp_host),
        smtp_port: number(smtp_port, "smtp_port", "The SMTP port is a number from 1 to 65535.")?,
        tls: given(tls),
        username: given(username),
        password: given(password),
        from: given(from),
        to: given(to).map(|list| list.split([',', '\n']).map(|a| a.trim().to_string()).collect()),
        digest_minutes: number(digest_minutes, "digest_minutes", "Choose how alerts are gathered.")?,
    };
    alerts::create(&state.db, &state.master_key, &caller.actor(), &input).await?;
    leptos_axum::redirect(PAGE);
    Ok(())
}

/// Turns channel `id` on (`enabled` = "true") or off.
#[server(prefix = "/rpc", endpoint = "set_alert_channel_enabled")]
pub async fn set_alert_channel_enabled(id: i32, enabled: String) -> Result<(), AppError> {
    use crate::server::services::alerts;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("set_alert_channel_enabled", BROWSER_ADMIN)).await?;
    let input = alerts::ChannelInput { enabled: Some(enabled == "true"), ..Default::default() };
    alerts::update(&state.db, &state.master_key, &caller.actor(), id, &input).await?;
    leptos_axum::redirect(PAGE);
    Ok(())
}

/// Removes channel `id` and its delivery history.
#[server(prefix = "/rpc", endpoint = "delete_alert_channel")]
pub async fn delete_alert_channel(id: i32) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("delete_alert_channel", BROWSER_ADMIN)).await?;
    crate::server::services::alerts::delete(&state.db, &caller.actor(), id).await?;
    leptos_axum::redirect(PAGE);
    Ok(())
}

/// Sends a test alert to channel `id` now: whether it arrived, and the receiver's answer or why
/// not (a page without JavaScript shows it as the channel's last delivery after the redirect).
#[server(prefix = "/rpc", endpoint = "send_test_alert")]
pub async fn send_test_alert(id: i32) -> Result<(bool, String), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("send_test_alert", BROWSER_ADMIN)).await?;
    let delivery =
        crate::server::services::alerts::send_test(&state.db, &state.master_key, &caller.actor(), id).await?;
    let detail = delivery.detail.unwrap_or_default();
    leptos_axum::redirect(PAGE);
    Ok((delivery.status == "sent", detail))
}

/// Changes channel `id` from its Edit form. Secrets left blank keep their value (they are never
/// sent to the page); `clear_secret` / `clear_password` remove them; a blank username clears it.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/rpc", endpoint = "update_alert_channel")]
pub async fn update_alert_channel(
    id: i32,
    kind: Option<String>,
    name: String,
    url: Option<String>,
    secret: Option<String>,
    clear_secret: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<String>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<String>,
    clear_password: Option<String>,
    from: Option<String>,
    to: Option<String>,
    digest_minutes: Option<String>,
) -> Result<(), AppError> {
    use crate::server::services::alerts;
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("update_alert_channel", BROWSER_ADMIN)).await?;
    let secret = if clear_secret.is_some() { Some(String::new()) } else { given(secret) };
    let password = if clear_password.is_some() { Some(String::new()) } else { given(password) };
    // A blank field arrives as absent: the email form's blank username means "none".
    let email_form = kind.as_deref() == Some(alerts::EMAIL);
    let input = alerts::ChannelInput {
        name: Some(name),
        kind,
        enabled: None,
        url: given(url),
        secret,
        smtp_host,
        smtp_port: number(smtp_port, "smtp_port", "The SMTP port is a number from 1 to 65535.")?,
        tls: given(tls),
        username: if email_form { Some(username.unwrap_or_default()) } else { username },
        password,
        from,
        to: to.map(|list| list.split([',', '\n']).map(|a| a.trim().to_string()).collect()),
        digest_minutes: number(digest_minutes, "digest_minutes", "Choose how alerts are gathered.")?,
    };
    alerts::update(&state.db, &state.master_key, &caller.actor(), id, &input).await?;
    leptos_axum::redirect(PAGE);
    Ok(())
}
