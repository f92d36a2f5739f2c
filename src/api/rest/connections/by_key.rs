//! `POST /api/ssh-keys/{key_id}/deploy` and `…/test-connection`, as Borg UI's frontend ("add a
//! remote machine") and its scripts call them: the answer is 200 with `success` either way, the
//! connection in the list shape and the stages; an untrusted host is a 409 with its fingerprints.

use super::actions::host_not_trusted;
use crate::api::rest::{ApiJson, ApiPath};
use crate::error::AppError;
use crate::server::auth::Authed;
use crate::server::services::connections::{
    self, ConnectionFields, KeyOnHost, KeyOnHostError, KeyOnHostOutcome, Patch,
};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroizing;

fn default_port() -> i64 {
    22
}

/// Borg UI's body; empty paths (its frontend sends `""`) mean "none".
#[derive(Deserialize)]
pub struct KeyOnHostBody {
    #[serde(default)]
    host: String,
    #[serde(default)]
    username: String,
    #[serde(default = "default_port")]
    port: i64,
    #[serde(default)]
    password: String,
    #[serde(default)]
    use_sftp_mode: Option<bool>,
    #[serde(default)]
    use_sudo: Option<bool>,
    #[serde(default)]
    default_path: Option<String>,
    #[serde(default)]
    ssh_path_prefix: Option<String>,
    #[serde(default)]
    mount_point: Option<String>,
    #[serde(default)]
    host_key_fingerprint: Option<String>,
}

impl KeyOnHostBody {
    fn fields(&self) -> ConnectionFields {
        let set = |v: &Option<bool>| v.map_or(Patch::Keep, Patch::Set);
        let path = |p: &Option<String>| match p.as_deref().map(str::trim) {
            None => Patch::Keep,
            Some("") => Patch::Clear,
            Some(path) => Patch::Set(path.to_string()),
        };
        ConnectionFields {
            host: Patch::Set(self.host.clone()),
            username: Patch::Set(self.username.clone()),
            port: Patch::Set(self.port),
            use_sftp_mode: set(&self.use_sftp_mode),
            use_sudo: set(&self.use_sudo),
            default_path: path(&self.default_path),
            ssh_path_prefix: path(&self.ssh_path_prefix),
            mount_point: path(&self.mount_point),
            ..Default::default()
        }
    }
}

async fn answer(state: &AppState, outcome: Result<KeyOnHostOutcome, KeyOnHostError>) -> Result<Response, AppError> {
    let done = match outcome {
        Ok(done) => done,
        Err(KeyOnHostError::NotTrusted(why)) => return Ok(host_not_trusted(why)),
        Err(KeyOnHostError::Failed(error)) => return Err(error.into()),
    };
    let view = connections::get_view(&state.db, done.connection.id).await?;
    Ok(Json(json!({
        "success": done.success, "message": done.message, "connection": view,
        "already_installed": done.already_installed, "warnings": done.warnings, "note": done.note,
        "stages": done.stages,
    }))
    .into_response())
}

pub async fn deploy(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(key_id): ApiPath<i32>,
    ApiJson(mut body): ApiJson<KeyOnHostBody>,
) -> Result<Response, AppError> {
    let password = Zeroizing::new(std::mem::take(&mut body.password));
    let call = KeyOnHost { key_id, fields: body.fields(), pin: body.host_key_fingerprint.as_deref() };
    let outcome = connections::deploy_key_on_host(
        &state.db,
        &state.changes,
        &state.ssh,
        &state.master_key,
        &caller.actor(),
        call,
        &password,
    )
    .await;
    answer(&state, outcome).await
}

pub async fn test_connection(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(key_id): ApiPath<i32>,
    ApiJson(body): ApiJson<KeyOnHostBody>,
) -> Result<Response, AppError> {
    let call = KeyOnHost { key_id, fields: body.fields(), pin: body.host_key_fingerprint.as_deref() };
    let outcome =
        connections::test_key_on_host(&state.db, &state.changes, &state.ssh, &state.master_key, &caller.actor(), call)
            .await;
    answer(&state, outcome).await
}
