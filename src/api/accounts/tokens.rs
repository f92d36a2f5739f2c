use crate::error::AppError;
use crate::model::{CreatedToken, TokenView};
use leptos::prelude::*;

/// Session key of a token just created by a plain form post, shown once by the next page render.
#[cfg(feature = "ssr")]
const NEW_TOKEN_FLASH: &str = "new_token";

#[server(prefix = "/rpc", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenView>, AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("list_tokens", BROWSER_SIGNED_IN)).await?;
    Ok(accounts::list_tokens(&state.db, caller.user.id).await?)
}

/// Creates a personal access token. One checkbox per scope (`"on"` when ticked), because a plain
/// form post cannot carry a list.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/rpc", endpoint = "create_token")]
pub async fn create_token(
    name: String,
    expires_in_days: Option<String>,
    read_public_key: Option<String>,
    write_public_key: Option<String>,
    admin_public_key: Option<String>,
    repo: Option<String>,
    admin: Option<String>,
    read_metrics: Option<String>,
) -> Result<CreatedToken, AppError> {
    use crate::model::Scope;
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("create_token", BROWSER_SIGNED_IN)).await?;
    let ticked = [
        (read_public_key, Scope::ReadPublicKey),
        (write_public_key, Scope::WritePublicKey),
        (admin_public_key, Scope::AdminPublicKey),
        (repo, Scope::Repo),
        (admin, Scope::Admin),
        (read_metrics, Scope::ReadMetrics),
    ];
    let scopes = ticked.into_iter().filter(|(v, _)| v.is_some()).map(|(_, s)| s).collect();
    let days = match expires_in_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None | Some("never") => None,
        Some(d) => Some(
            d.parse::<u32>().map_err(|_| AppError::invalid("expires_in_days", "Expiry must be a number of days."))?,
        ),
    };
    let request = accounts::TokenRequest {
        name: &name,
        scopes,
        expires_in_days: days,
        kind: accounts::KIND_PERSONAL,
        made_with: None,
    };
    let created = accounts::create_token(&state.db, &caller.actor(), &caller.user, request).await?;
    if context::is_form_post() {
        let sealed = accounts::seal_flash(&state.master_key, &created)?;
        let _ = context::session()?.insert(NEW_TOKEN_FLASH, sealed).await;
    }
    Ok(created)
}

/// The token created by the last plain form post, once; `None` afterwards.
#[server(prefix = "/rpc", endpoint = "take_new_token")]
pub async fn take_new_token() -> Result<Option<CreatedToken>, AppError> {
    use crate::server::context;
    use crate::server::services::accounts;
    let (state, _caller) = context::caller(crate::rpc_rule!("take_new_token", BROWSER_SIGNED_IN)).await?;
    let sealed = context::session()?.remove::<String>(NEW_TOKEN_FLASH).await.ok().flatten();
    Ok(sealed.and_then(|envelope| accounts::open_flash(&state.master_key, &envelope)))
}

#[server(prefix = "/rpc", endpoint = "revoke_token")]
pub async fn revoke_token(id: i32) -> Result<(), AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("revoke_token", BROWSER_SIGNED_IN)).await?;
    Ok(accounts::revoke_token(&state.db, &caller.actor(), caller.user.id, id).await?)
}
