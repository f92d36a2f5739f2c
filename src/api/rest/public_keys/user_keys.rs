//! `/user/keys` (the caller's own keys), `/users/{username}/keys` and `/{username}.keys` (anyone's,
//! without authentication), shaped like GitHub's.

use super::KeyBody;
use super::error::GhError;
use super::extract::{GhAuthed, GhJson, GhPath};
use super::key_json;
use super::listed;
use super::paging::{ApiBase, ListQuery, link_header};
use crate::server::services::public_keys::{self, KeyOwner, NewPublicKey};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// What anyone may read about a user's key.
#[derive(serde::Serialize)]
struct PublicKeyJson<'a> {
    id: i32,
    key: &'a str,
    url: String,
}

fn own_url(base: &str, id: i32) -> String {
    format!("{base}/user/keys/{id}")
}

pub async fn create(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    GhJson(body): GhJson<KeyBody>,
) -> Result<Response, GhError> {
    let new = NewPublicKey { title: body.title.as_deref(), key: body.key.as_deref(), read_only: false };
    let policy = state.settings.key_policy();
    let key = public_keys::add_key(
        &state.db,
        &state.key_cache,
        &policy,
        &caller.actor(),
        KeyOwner::User(caller.user.id),
        new,
        &caller.user.username,
    )
    .await?;
    let base = base.api;
    Ok((StatusCode::CREATED, Json(key_json(&key, own_url(&base, key.id)))).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    RawQuery(query): RawQuery,
) -> Result<Response, GhError> {
    let query = ListQuery::parse(query.as_deref())?;
    let owner = KeyOwner::User(caller.user.id);
    let page =
        public_keys::list_keys(&state.db, &state.key_cache, owner, query.fingerprint.as_deref(), query.page).await?;
    let base = base.api;
    let items = page.items().map(|k| key_json(k, own_url(&base, k.id))).collect();
    Ok(listed(items, link_header(&format!("{base}/user/keys"), &query, page.total)))
}

pub async fn get_one(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
    GhPath(id): GhPath<i32>,
) -> Result<Response, GhError> {
    let key = public_keys::get_key(&state.db, KeyOwner::User(caller.user.id), id).await?;
    Ok(Json(key_json(&key, own_url(&base.api, key.id))).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    GhPath(id): GhPath<i32>,
) -> Result<StatusCode, GhError> {
    let owner = KeyOwner::User(caller.user.id);
    public_keys::delete_key(&state.db, &state.key_cache, &caller.actor(), owner, id, &caller.user.username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /users/{username}/keys`: public, `{id, key, url}` only.
pub async fn of_user(
    State(state): State<AppState>,
    base: ApiBase,
    GhPath(username): GhPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, GhError> {
    let query = ListQuery::parse(query.as_deref())?;
    let (user, page) = public_keys::keys_of_username(&state.db, &state.key_cache, &username, Some(query.page)).await?;
    let base = base.api;
    let items: Vec<PublicKeyJson> =
        page.items().map(|k| PublicKeyJson { id: k.id, key: &k.key, url: own_url(&base, k.id) }).collect();
    let link = link_header(&format!("{base}/users/{}/keys", user.username), &query, page.total);
    Ok(listed(items, link))
}

/// `GET /{username}.keys`: the keys as `authorized_keys` lines, as GitHub serves them.
pub async fn plain_text(state: &AppState, username: &str) -> Response {
    match public_keys::keys_of_username(&state.db, &state.key_cache, username, None).await {
        Ok((_, page)) => {
            let body: String = page.items().map(|k| format!("{}\n", k.key)).collect();
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
        }
        Err(err) => GhError::from(err).into_response(),
    }
}
