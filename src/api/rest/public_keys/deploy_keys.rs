//! `/repos/{owner}/{repo}/keys`: deploy keys, for the repository's owner and admins only (403
//! "Must have admin rights to Repository." for anyone else who can see it).

use super::KeyBody;
use super::error::GhError;
use super::extract::{GhAuthed, GhJson, GhPath};
use super::key_json;
use super::listed;
use super::paging::{ApiBase, ListQuery, link_header};
use crate::server::auth::Authed;
use crate::server::services::public_keys::{self, KeyOwner, NewPublicKey, RepoWithOwner};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The repository, if the caller may manage its deploy keys.
async fn managed_repo(state: &AppState, caller: &Authed, owner: &str, name: &str) -> Result<RepoWithOwner, GhError> {
    let found = public_keys::find_repository(&state.db, owner, name).await?;
    public_keys::require_repo_admin(&found, &caller.user, caller.role)?;
    Ok(found)
}

fn keys_url(base: &str, found: &RepoWithOwner) -> String {
    format!("{base}/repos/{}/{}/keys", found.owner.username, found.repo.name)
}

fn full_name(found: &RepoWithOwner) -> String {
    format!("{}/{}", found.owner.username, found.repo.name)
}

pub async fn create(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    GhPath((owner, name)): GhPath<(String, String)>,
    GhJson(body): GhJson<KeyBody>,
) -> Result<Response, GhError> {
    let found = managed_repo(&state, &caller, &owner, &name).await?;
    let read_only = body.read_only.unwrap_or(true);
    let new = NewPublicKey { title: body.title.as_deref(), key: body.key.as_deref(), read_only };
    let repo_owner = KeyOwner::Repository(found.repo.id);
    let policy = state.settings.key_policy();
    let key = public_keys::add_key(
        &state.db,
        &state.key_cache,
        &policy,
        &caller.actor(),
        repo_owner,
        new,
        &full_name(&found),
    )
    .await?;
    let url = format!("{}/{}", keys_url(&base.api, &found), key.id);
    Ok((StatusCode::CREATED, Json(key_json(&key, url))).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    GhPath((owner, name)): GhPath<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, GhError> {
    let found = managed_repo(&state, &caller, &owner, &name).await?;
    let query = ListQuery::parse(query.as_deref())?;
    let repo_owner = KeyOwner::Repository(found.repo.id);
    let page =
        public_keys::list_keys(&state.db, &state.key_cache, repo_owner, query.fingerprint.as_deref(), query.page)
            .await?;
    let url = keys_url(&base.api, &found);
    let items = page.items().map(|k| key_json(k, format!("{url}/{}", k.id))).collect();
    Ok(listed(items, link_header(&url, &query, page.total)))
}

pub async fn get_one(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    GhPath((owner, name, id)): GhPath<(String, String, i32)>,
) -> Result<Response, GhError> {
    let found = managed_repo(&state, &caller, &owner, &name).await?;
    let key = public_keys::get_key(&state.db, KeyOwner::Repository(found.repo.id), id).await?;
    Ok(Json(key_json(&key, format!("{}/{}", keys_url(&base.api, &found), key.id))).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    GhPath((owner, name, id)): GhPath<(String, String, i32)>,
) -> Result<StatusCode, GhError> {
    let found = managed_repo(&state, &caller, &owner, &name).await?;
    let repo_owner = KeyOwner::Repository(found.repo.id);
    public_keys::delete_key(&state.db, &state.key_cache, &caller.actor(), repo_owner, id, &full_name(&found)).await?;
    Ok(StatusCode::NO_CONTENT)
}
