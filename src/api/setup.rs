//! The setup wizard's server functions. The first step is open (there is nobody to sign in yet);
//! every later step needs a signed-in admin.
// The connection step posts a form's fields as arguments.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::model::{ActionOutcome, SetupStatus};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "get_setup_status")]
pub async fn get_setup_status() -> Result<SetupStatus, AppError> {
    use crate::server::{context, services::setup};
    let (state, caller) = context::anyone(crate::rpc_rule!("get_setup_status", BROWSER_ANYONE)).await?;
    let admin_exists = state.setup_done().await?;
    let step = if admin_exists { setup::stored_step(&state.db).await? } else { setup::Step::Admin };
    Ok(SetupStatus {
        admin_exists,
        step: step.as_str().into(),
        can_continue: caller.is_some_and(|c| c.role == crate::model::Role::Admin),
    })
}

/// Setup's first step: creates the first admin, signs them in and goes on to the key step.
#[server(prefix = "/rpc", endpoint = "create_first_admin")]
pub async fn create_first_admin(username: String, password: String) -> Result<(), AppError> {
    use crate::server::{context, services::accounts};
    let (state, _caller) = context::anyone(crate::rpc_rule!("create_first_admin", BROWSER_ANYONE)).await?;
    let password = zeroize::Zeroizing::new(password);
    let admin = accounts::create_first_admin(&state.db, &username, &password, &context::request_addr()).await?;
    super::accounts::start_session(&admin).await?;
    leptos_axum::redirect("/setup");
    Ok(())
}

/// Next, Back and Skip: moves the wizard to `step` (`key`, `connection` or `done`).
#[server(prefix = "/rpc", endpoint = "set_setup_step")]
pub async fn set_setup_step(step: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("set_setup_step", BROWSER_ADMIN)).await?;
    crate::server::services::setup::go_to(&state.db, &caller.actor(), &step).await?;
    leptos_axum::redirect("/setup");
    Ok(())
}

/// The first connection: deploy the system key with a one-time password (or check that it is
/// installed when the password is empty), then save, test and measure the connection.
#[server(prefix = "/rpc", endpoint = "setup_connect")]
pub async fn setup_connect(
    host: String,
    port: String,
    username: String,
    default_path: Option<String>,
    ssh_path_prefix: Option<String>,
    use_sftp_mode: Option<String>,
    password: Option<String>,
) -> Result<ActionOutcome, AppError> {
    use super::connections::{ConnectionForm, fields};
    use crate::server::services::setup;
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("setup_connect", BROWSER_ADMIN_SSH)).await?;
    let form = ConnectionForm {
        host,
        username,
        port,
        ssh_key_id: None,
        use_sftp_mode,
        default_path,
        ssh_path_prefix,
        mount_point: None,
    };
    let fields = fields(form);
    let password = zeroize::Zeroizing::new(password.unwrap_or_default());
    let (db, gate, master) = (&state.db, &state.ssh, &state.master_key);
    let done = setup::connect(db, &state.changes, gate, master, &caller.actor(), &fields, &password)
        .await
        .map_err(crate::server::error::ServiceError::from)?;
    let message = if done.deploy.already_installed {
        "Connected: the key was already installed."
    } else {
        "Connected: the key is installed and logs in."
    };
    let notes = done.deploy.warnings.into_iter().chain(done.storage_note).collect();
    Ok(ActionOutcome { success: true, message: message.into(), notes, stages: done.deploy.stages })
}
