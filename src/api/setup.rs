use crate::error::AppError;
use crate::model::SetupStatus;
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "get_setup_status")]
pub async fn get_setup_status() -> Result<SetupStatus, AppError> {
    let state = crate::server::context::state()?;
    Ok(SetupStatus { admin_exists: state.setup_done().await? })
}

/// Setup's first step: creates the first admin and signs them in.
#[server(prefix = "/rpc", endpoint = "create_first_admin")]
pub async fn create_first_admin(username: String, password: String) -> Result<(), AppError> {
    use crate::server::{context, services::users};
    let state = context::state()?;
    let admin = users::create_first_admin(&state.db, &username, &password, &context::request_addr()).await?;
    super::auth::start_session(&admin).await?;
    leptos_axum::redirect("/");
    Ok(())
}
