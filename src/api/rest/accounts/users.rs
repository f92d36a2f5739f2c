use crate::api::rest::ApiJson;
use crate::api::rest::ApiPath;
use crate::error::AppError;
use crate::model::Role;
use crate::server::auth::Authed;
use crate::server::services::accounts::{self, UserChanges};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

fn parse_role(text: &str) -> Result<Role, AppError> {
    Role::parse(text).ok_or_else(|| AppError::invalid("role", "role must be 'admin' or 'viewer'."))
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let all: Vec<_> = accounts::list_users(&state.db).await?.iter().map(accounts::user_view).collect();
    Ok(Json(json!({ "success": true, "users": all })))
}

pub async fn get_one(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    let user = accounts::get_user(&state.db, id).await?;
    Ok(Json(json!({ "success": true, "user": accounts::user_view(&user) })))
}

#[derive(Deserialize)]
pub struct NewUser {
    username: String,
    password: String,
    #[serde(default = "viewer")]
    role: String,
}

fn viewer() -> String {
    "viewer".into()
}

pub async fn create(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let role = parse_role(&body.role)?;
    let created = accounts::create_user(&state.db, &caller.actor(), &body.username, &body.password, role).await?;
    Ok((StatusCode::CREATED, Json(json!({ "success": true, "user": accounts::user_view(&created) }))))
}

#[derive(Deserialize)]
pub struct UserUpdate {
    role: Option<String>,
    is_active: Option<bool>,
    password: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> Result<Json<Value>, AppError> {
    let changes = UserChanges {
        role: body.role.as_deref().map(parse_role).transpose()?,
        is_active: body.is_active,
        password: body.password,
    };
    let updated = accounts::update_user(&state.db, &caller.actor(), id, changes).await?;
    Ok(Json(json!({ "success": true, "user": accounts::user_view(&updated) })))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    accounts::delete_user(&state.db, &caller.actor(), id).await?;
    Ok(Json(json!({ "success": true, "message": "User deleted" })))
}
