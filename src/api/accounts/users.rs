use crate::error::AppError;
use crate::model::UserView;
use leptos::prelude::*;

/// Every account; viewers may look, only admins change.
#[server(prefix = "/rpc", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    use crate::server::{context, services::accounts};
    let (state, _caller) = context::caller(crate::rpc_rule!("list_users", BROWSER_SIGNED_IN)).await?;
    Ok(accounts::list_users(&state.db).await?.iter().map(accounts::user_view).collect())
}

#[server(prefix = "/rpc", endpoint = "create_user")]
pub async fn create_user(username: String, password: String, role: String) -> Result<UserView, AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("create_user", BROWSER_ADMIN)).await?;
    let role =
        crate::model::Role::parse(&role).ok_or_else(|| AppError::invalid("role", "Role must be admin or viewer."))?;
    let password = zeroize::Zeroizing::new(password);
    let created = accounts::create_user(&state.db, &caller.actor(), &username, &password, role).await?;
    Ok(accounts::user_view(&created))
}

#[server(prefix = "/rpc", endpoint = "change_user_role")]
pub async fn change_user_role(id: i32, role: String) -> Result<UserView, AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("change_user_role", BROWSER_ADMIN)).await?;
    let role =
        crate::model::Role::parse(&role).ok_or_else(|| AppError::invalid("role", "Role must be admin or viewer."))?;
    let changes = accounts::UserChanges { role: Some(role), ..Default::default() };
    Ok(accounts::user_view(&accounts::update_user(&state.db, &caller.actor(), id, changes).await?))
}

/// Disables (`active = "false"`) or re-enables an account.
#[server(prefix = "/rpc", endpoint = "set_user_active")]
pub async fn set_user_active(id: i32, active: String) -> Result<UserView, AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("set_user_active", BROWSER_ADMIN)).await?;
    let changes = accounts::UserChanges { is_active: Some(active == "true"), ..Default::default() };
    Ok(accounts::user_view(&accounts::update_user(&state.db, &caller.actor(), id, changes).await?))
}

#[server(prefix = "/rpc", endpoint = "reset_user_password")]
pub async fn reset_user_password(id: i32, password: String) -> Result<UserView, AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("reset_user_password", BROWSER_ADMIN)).await?;
    let changes = accounts::UserChanges { password: Some(password), ..Default::default() };
    Ok(accounts::user_view(&accounts::update_user(&state.db, &caller.actor(), id, changes).await?))
}

#[server(prefix = "/rpc", endpoint = "delete_user")]
pub async fn delete_user(id: i32) -> Result<(), AppError> {
    use crate::server::{context, services::accounts};
    let (state, caller) = context::caller(crate::rpc_rule!("delete_user", BROWSER_ADMIN)).await?;
    Ok(accounts::delete_user(&state.db, &caller.actor(), id).await?)
}
