use crate::error::AppError;
use crate::model::{SshKeyDetail, SshKeyView};
use leptos::prelude::*;

/// Every key with its fingerprints, randomart and users; the system key first.
#[server(prefix = "/rpc", endpoint = "list_ssh_keys")]
pub async fn list_ssh_keys() -> Result<Vec<SshKeyDetail>, AppError> {
    use crate::server::services::keys;

    let (state, _caller) = crate::server::context::caller(crate::rpc_rule!("list_ssh_keys", BROWSER_SIGNED_IN)).await?;
    let mut out = Vec::new();
    for key in keys::list_keys(&state.db).await? {
        let fingerprint_md5 = keys::fingerprint_md5(&key.public_key).map_err(|e| keys::key_error("public_key", e))?;
        let randomart = keys::randomart(&key.public_key).map_err(|e| keys::key_error("public_key", e))?;
        let used_by = crate::server::services::connections::key_users(&state.db, key.id).await?;
        out.push(SshKeyDetail { key: keys::to_view(&state.db, &key).await?, fingerprint_md5, randomart, used_by });
    }
    Ok(out)
}

/// The system key alone (or none yet), for the Dashboard: one row, not every key's details.
#[server(prefix = "/rpc", endpoint = "get_system_key", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_system_key() -> Result<Option<SshKeyView>, AppError> {
    use crate::server::services::keys;
    let (state, _caller) =
        crate::server::context::caller(crate::rpc_rule!("get_system_key", BROWSER_SIGNED_IN)).await?;
    match keys::system_key(&state.db).await? {
        Some(key) => Ok(Some(keys::to_view(&state.db, &key).await?)),
        None => Ok(None),
    }
}

/// Generates the system key (`system = "on"`) or a named key. `key_spec` is `type` or `type-bits`.
#[server(prefix = "/rpc", endpoint = "generate_ssh_key")]
pub async fn generate_ssh_key(
    name: String,
    description: Option<String>,
    key_spec: String,
    comment: Option<String>,
    system: Option<String>,
) -> Result<(), AppError> {
    use crate::server::services::keys::KeySpec;
    use crate::server::services::keys::{self, NewKey};
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("generate_ssh_key", BROWSER_ADMIN)).await?;
    let (key_type, bits) =
        key_spec.split_once('-').map(|(t, b)| (t, b.parse().ok())).unwrap_or((key_spec.as_str(), None));
    let spec = KeySpec::parse(key_type, bits).map_err(|m| AppError::invalid("key_spec", m))?;
    let new = NewKey {
        name: &name,
        description: description.as_deref().unwrap_or(""),
        system: system.is_some(),
        comment: comment.as_deref(),
    };
    keys::generate(&state.db, &state.changes, &state.master_key, &caller.actor(), new, spec).await?;
    Ok(())
}

/// Imports a pasted private key as the system key or a named key.
#[server(prefix = "/rpc", endpoint = "import_ssh_key")]
pub async fn import_ssh_key(
    name: String,
    description: Option<String>,
    private_key: String,
    passphrase: Option<String>,
    system: Option<String>,
) -> Result<(), AppError> {
    use crate::server::services::keys::{self, NewKey};
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("import_ssh_key", BROWSER_ADMIN)).await?;
    // The key text and its passphrase are wiped from memory when the request is done.
    let (private_key, passphrase) = (zeroize::Zeroizing::new(private_key), passphrase.map(zeroize::Zeroizing::new));
    let new = NewKey::new(&name, description.as_deref().unwrap_or(""), system.is_some());
    keys::import_text(
        &state.db,
        &state.changes,
        &state.master_key,
        &caller.actor(),
        new,
        &private_key,
        passphrase.as_ref().map(|p| p.as_str()),
        None,
    )
    .await?;
    Ok(())
}

/// Deletes a key; one in use needs `confirm = "on"`, after the page listed its connections.
#[server(prefix = "/rpc", endpoint = "delete_ssh_key")]
pub async fn delete_ssh_key(id: i32, confirm: Option<String>) -> Result<(), AppError> {
    use crate::server::services::connections;
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("delete_ssh_key", BROWSER_ADMIN)).await?;
    connections::delete_key(&state.db, &state.changes, &caller.actor(), id, confirm.is_some()).await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "rename_ssh_key")]
pub async fn rename_ssh_key(id: i32, name: String) -> Result<(), AppError> {
    use crate::server::services::keys;
    let (state, caller) = crate::server::context::caller(crate::rpc_rule!("rename_ssh_key", BROWSER_ADMIN)).await?;
    keys::update_key(&state.db, &state.changes, &caller.actor(), id, Some(&name), None, None).await?;
    Ok(())
}

/// Sets key `id`'s rotation period in days (empty: none) and whether it rotates by itself.
#[server(prefix = "/rpc", endpoint = "set_key_rotation_period")]
pub async fn set_key_rotation_period(id: i32, days: String, auto_rotate: Option<String>) -> Result<(), AppError> {
    let (state, caller) =
        crate::server::context::caller(crate::rpc_rule!("set_key_rotation_period", BROWSER_ADMIN)).await?;
    let days = match days.trim() {
        "" => None,
        text => Some(text.parse::<i32>().map_err(|_| {
            AppError::invalid("rotation_period_days", "A rotation period is a whole number of days, or empty.")
        })?),
    };
    let actor = caller.actor();
    crate::server::services::keys::set_rotation_period(
        &state.db,
        &state.changes,
        &actor,
        id,
        days,
        auto_rotate.is_some(),
    )
    .await?;
    Ok(())
}

/// Keys whose rotation is due within 14 days (or overdue), soonest first, for the Dashboard.
#[server(prefix = "/rpc", endpoint = "get_keys_due", input = leptos::server_fn::codec::GetUrl)]
pub async fn get_keys_due() -> Result<Vec<SshKeyView>, AppError> {
    use crate::server::services::keys;
    let (state, _caller) = crate::server::context::caller(crate::rpc_rule!("get_keys_due", BROWSER_SIGNED_IN)).await?;
    let mut out = Vec::new();
    for key in keys::due_soon(&state.db).await? {
        out.push(keys::to_view(&state.db, &key).await?);
    }
    Ok(out)
}
