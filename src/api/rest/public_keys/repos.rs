//! `/user/repos` and `/repos/{owner}/{repo}`: named backup repositories that hold deploy keys.

use super::error::GhError;
use super::extract::{GhAuthed, GhJson, GhPath};
use super::listed;
use super::paging::{ApiBase, ListQuery, link_header};
use crate::server::entities::{repository, user};
use crate::server::services::public_keys;
use crate::server::services::rfc3339;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct RepoBody {
    name: Option<String>,
    description: Option<String>,
}

fn repo_json(base: &str, repo: &repository::Model, owner: &user::Model) -> Value {
    let url = format!("{base}/repos/{}/{}", owner.username, repo.name);
    json!({
        "id": repo.id, "name": repo.name, "full_name": format!("{}/{}", owner.username, repo.name),
        "owner": { "id": owner.id, "login": owner.username }, "description": repo.description,
        "url": url, "keys_url": format!("{url}/keys"),
        "created_at": rfc3339(&repo.created_at), "updated_at": rfc3339(&repo.updated_at),
    })
}

pub async fn create(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    GhJson(body): GhJson<RepoBody>,
) -> Result<(StatusCode, Json<Value>), GhError> {
    let (name, description) = (body.name.as_deref(), body.description.as_deref());
    let repo = public_keys::create_repository(&state.db, &caller.actor(), &caller.user, name, description).await?;
    Ok((StatusCode::CREATED, Json(repo_json(&base.api, &repo, &caller.user))))
}

pub async fn list(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    RawQuery(query): RawQuery,
) -> Result<Response, GhError> {
    let query = ListQuery::parse(query.as_deref())?;
    let page = public_keys::list_owned_repositories(&state.db, caller.user.id, query.page).await?;
    let base = base.api;
    let items = page.items.iter().map(|r| repo_json(&base, r, &caller.user)).collect();
    Ok(listed(items, link_header(&format!("{base}/user/repos"), &query, page.total)))
}

pub async fn get_one(
    State(state): State<AppState>,
    base: ApiBase,
    GhPath((owner, name)): GhPath<(String, String)>,
) -> Result<Json<Value>, GhError> {
    let found = public_keys::find_repository(&state.db, &owner, &name).await?;
    Ok(Json(repo_json(&base.api, &found.repo, &found.owner)))
}

pub async fn delete(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    GhPath((owner, name)): GhPath<(String, String)>,
) -> Result<StatusCode, GhError> {
    let found = public_keys::find_repository(&state.db, &owner, &name).await?;
    public_keys::require_repo_admin(&found, &caller.user, caller.role)?;
    public_keys::delete_repository(&state.db, &state.key_cache, &caller.actor(), &found).await?;
    Ok(StatusCode::NO_CONTENT)
}
