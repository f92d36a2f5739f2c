//! `/api/ssh-keys/…`: Borg UI's SSH key endpoints (same paths, fields and shapes) plus Keyhaven's
//! named keys. Viewers may read; changes need the admin role. `key_type` defaults to ed25519
//! (Borg UI defaults to rsa).

mod upload;

use super::ApiJson;
use super::ApiPath;
use crate::api::rest::{CHANGE, READ, deny};
use crate::error::AppError;
use crate::model::SshKeyView;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::services::keys::{self, KeySpec};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

/// The shape of `GET /api/ssh-keys/system-key`'s `ssh_key`.
fn system_shape(v: &SshKeyView) -> Value {
    json!({
        "id": v.id, "name": v.name, "description": v.description, "key_type": v.key_type,
        "public_key": v.public_key, "fingerprint": v.fingerprint, "is_active": v.is_active,
        "created_at": v.created_at, "updated_at": v.updated_at,
        "connection_count": v.connection_count, "active_connections": v.active_connections,
    })
}

/// The shape of the key in generate and import answers.
fn created_shape(v: &SshKeyView) -> Value {
    json!({
        "id": v.id, "name": v.name, "description": v.description, "key_type": v.key_type,
        "public_key": v.public_key, "fingerprint": v.fingerprint,
        "is_system_key": v.is_system_key, "is_active": v.is_active,
    })
}

fn spec(key_type: Option<&str>, key_size: Option<u32>) -> Result<KeySpec, AppError> {
    KeySpec::parse(key_type.unwrap_or("ed25519"), key_size).map_err(|m| AppError::invalid("key_type", m))
}

fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, AppError> {
    value
        .as_deref()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| AppError::invalid(field, format!("{field} is required.")))
}

pub async fn system_key(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let key = match keys::system_key(&state.db).await? {
        Some(k) => Some(system_shape(&keys::to_view(&state.db, &k).await?)),
        None => None,
    };
    Ok(Json(json!({ "success": true, "exists": key.is_some(), "ssh_key": key })))
}

#[derive(Deserialize)]
pub struct GenerateBody {
    name: Option<String>,
    key_type: Option<String>,
    key_size: Option<u32>,
    description: Option<String>,
}

/// `POST /api/ssh-keys/generate`: the system key, once (409 afterwards).
pub async fn generate_system(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<GenerateBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let spec = spec(body.key_type.as_deref(), body.key_size)?;
    let new = keys::NewKey::new(required(&body.name, "name")?, body.description.as_deref().unwrap_or(""), true);
    let key = keys::generate(&state.db, &state.changes, &state.master_key, &caller.actor(), new, spec).await?;
    let view = keys::to_view(&state.db, &key).await?;
    Ok((
        StatusCode::OK,
        Json(
            json!({ "success": true, "message": "System SSH key generated successfully", "ssh_key": created_shape(&view) }),
        ),
    ))
}

#[derive(Deserialize)]
pub struct ImportPathBody {
    name: Option<String>,
    private_key_path: Option<String>,
    public_key_path: Option<String>,
    description: Option<String>,
}

/// `POST /api/ssh-keys/import`: the system key from files inside `KEYHAVEN_IMPORT_DIRS`.
pub async fn import_system(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<ImportPathBody>,
) -> Result<Json<Value>, AppError> {
    let name = required(&body.name, "name")?;
    let private_path = required(&body.private_key_path, "private_key_path")?;
    let (private, public) =
        keys::read_key_files(private_path, body.public_key_path.as_deref(), &state.settings.import_dirs)?;
    let new = keys::NewKey::new(name, body.description.as_deref().unwrap_or(""), true);
    let key = keys::import_text(
        &state.db,
        &state.changes,
        &state.master_key,
        &caller.actor(),
        new,
        &private,
        None,
        public.as_deref(),
    )
    .await?;
    let view = keys::to_view(&state.db, &key).await?;
    Ok(Json(
        json!({ "success": true, "message": "System SSH key imported successfully", "ssh_key": created_shape(&view) }),
    ))
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let mut views = Vec::new();
    for key in keys::list_keys(&state.db).await? {
        views.push(keys::to_view(&state.db, &key).await?);
    }
    Ok(Json(json!({ "success": true, "ssh_keys": views })))
}

#[derive(Deserialize)]
pub struct NamedKeyBody {
    name: Option<String>,
    description: Option<String>,
    key_type: Option<String>,
    key_size: Option<u32>,
    private_key: Option<String>,
    passphrase: Option<String>,
    public_key: Option<String>,
    comment: Option<String>,
}

/// The private key text and its passphrase are wiped from memory when the request is done.
impl Drop for NamedKeyBody {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.private_key);
        zeroize::Zeroize::zeroize(&mut self.passphrase);
    }
}

/// `POST /api/ssh-keys`: a named key, generated, or imported when `private_key` is given.
pub async fn create_named(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<NamedKeyBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let new = keys::NewKey {
        name: required(&body.name, "name")?,
        description: body.description.as_deref().unwrap_or(""),
        system: false,
        comment: body.comment.as_deref(),
    };
    let actor = caller.actor();
    let key = match body.private_key.as_deref() {
        Some(private) => {
            keys::import_text(
                &state.db,
                &state.changes,
                &state.master_key,
                &actor,
                new,
                private,
                body.passphrase.as_deref(),
                body.public_key.as_deref(),
            )
            .await?
        }
        None => {
            keys::generate(
                &state.db,
                &state.changes,
                &state.master_key,
                &actor,
                new,
                spec(body.key_type.as_deref(), body.key_size)?,
            )
            .await?
        }
    };
    let view = keys::to_view(&state.db, &key).await?;
    Ok((StatusCode::CREATED, Json(json!({ "success": true, "ssh_key": view }))))
}

pub async fn get_one(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    let key = keys::get_key(&state.db, id).await?;
    let view = keys::to_view(&state.db, &key).await?;
    let md5 = keys::fingerprint_md5(&key.public_key).map_err(|e| keys::key_error("public_key", e))?;
    let art = keys::randomart(&key.public_key).map_err(|e| keys::key_error("public_key", e))?;
    Ok(Json(json!({ "success": true, "ssh_key": view, "fingerprint_md5": md5, "randomart": art })))
}

#[derive(Deserialize)]
pub struct UpdateBody {
    name: Option<String>,
    description: Option<String>,
    is_active: Option<bool>,
}

pub async fn update(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Json<Value>, AppError> {
    let key = keys::update_key(
        &state.db,
        &state.changes,
        &caller.actor(),
        id,
        body.name.as_deref(),
        body.description.as_deref(),
        body.is_active,
    )
    .await?;
    Ok(Json(json!({ "success": true, "ssh_key": keys::to_view(&state.db, &key).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationPeriodBody {
    /// Days between rotations; null or absent: none.
    #[serde(default)]
    rotation_period_days: Option<i32>,
    #[serde(default)]
    auto_rotate: bool,
}

/// `PUT /api/ssh-keys/{id}/rotation-period` `{rotation_period_days, auto_rotate}`: when the key's
/// next rotation is due (warned on the Dashboard 14 days ahead) and whether it starts by itself.
pub async fn rotation_period(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<RotationPeriodBody>,
) -> Result<Json<Value>, AppError> {
    let actor = caller.actor();
    let key =
        keys::set_rotation_period(&state.db, &state.changes, &actor, id, body.rotation_period_days, body.auto_rotate)
            .await?;
    Ok(Json(json!({ "success": true, "ssh_key": keys::to_view(&state.db, &key).await? })))
}

#[derive(Deserialize)]
pub struct DeleteQuery {
    confirm: Option<bool>,
}

/// `DELETE /api/ssh-keys/{id}`: deletes the key as Borg UI does — its frontend sends no query —
/// and the connections that used it stay, marked failed; the answer lists them. A careful client
/// sends `?confirm=false` to be refused (409, naming them) while any connection uses the key.
pub async fn delete(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    Query(q): Query<DeleteQuery>,
) -> Result<Json<Value>, AppError> {
    let affected = crate::server::services::connections::delete_key(
        &state.db,
        &state.changes,
        &caller.actor(),
        id,
        q.confirm.unwrap_or(true),
    )
    .await?;
    Ok(Json(json!({ "success": true, "message": "SSH key deleted successfully", "affected_connections": affected })))
}

/// `GET /api/ssh-keys/{id}/public-key`: the `.pub` line as text.
pub async fn public_key(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i32>,
) -> Result<impl IntoResponse, AppError> {
    let key = keys::get_key(&state.db, id).await?;
    let file = format!("attachment; filename=\"{}.pub\"", key.name.replace(' ', "_"));
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, file)],
        format!("{}\n", key.public_key),
    ))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .with_trailing_slash()
        .get("/api/ssh-keys", READ, list)
        .post("/api/ssh-keys", CHANGE, create_named)
        .get("/api/ssh-keys/system-key", READ, system_key)
        .post("/api/ssh-keys/generate", CHANGE, generate_system)
        .post("/api/ssh-keys/import", CHANGE, import_system)
        .get("/api/ssh-keys/{id}", READ, get_one)
        .put("/api/ssh-keys/{id}", CHANGE, update)
        .delete("/api/ssh-keys/{id}", CHANGE, delete)
        .get("/api/ssh-keys/{id}/public-key", READ, public_key)
        .put("/api/ssh-keys/{id}/rotation-period", CHANGE, rotation_period)
        .merge(upload::routes(state))
}
