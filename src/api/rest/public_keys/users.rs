//! `GET /user` and `GET /users/{username}` in GitHub's user shape: Octokit's
//! `users.getAuthenticated`, PyGithub's `get_user().login` and `get_user(name)`, and
//! `gh auth status` ask these before anything else.

use super::error::GhError;
use super::extract::{GhAuthed, GhPath};
use super::paging::ApiBase;
use crate::error::AppError;
use crate::model::Role;
use crate::server::entities::user;
use crate::server::services::public_keys::{PageRequest, list_owned_repositories};
use crate::server::services::{accounts, rfc3339};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use base64::Engine;
use serde::Serialize;

/// GitHub's user object, with what Keyhaven knows; the rest is empty as on a bare GitHub account.
#[derive(Serialize)]
pub struct UserJson {
    login: String,
    id: i32,
    node_id: String,
    avatar_url: &'static str,
    gravatar_id: &'static str,
    url: String,
    html_url: String,
    keys_url: String,
    #[serde(rename = "type")]
    kind: &'static str,
    site_admin: bool,
    name: Option<String>,
    company: Option<String>,
    blog: &'static str,
    location: Option<String>,
    email: Option<String>,
    bio: Option<String>,
    public_repos: u64,
    followers: u64,
    following: u64,
    created_at: String,
    /// Keyhaven keeps no edit time for accounts: their creation time.
    updated_at: String,
}

async fn user_json(state: &AppState, base: &ApiBase, user: &user::Model) -> Result<UserJson, GhError> {
    let (site, base) = (&base.site, &base.api);
    let repos = list_owned_repositories(&state.db, user.id, PageRequest { page: 1, per_page: 1 }).await?;
    let created = rfc3339(&user.created_at);
    Ok(UserJson {
        login: user.username.clone(),
        id: user.id,
        // GitHub's legacy global id: base64 of "04:User<id>".
        node_id: base64::engine::general_purpose::STANDARD.encode(format!("04:User{}", user.id)),
        avatar_url: "",
        gravatar_id: "",
        url: format!("{base}/users/{}", user.username),
        html_url: format!("{site}/{}", user.username),
        keys_url: format!("{base}/users/{}/keys", user.username),
        kind: "User",
        site_admin: accounts::role_of(user) == Role::Admin,
        name: None,
        company: None,
        blog: "",
        location: None,
        email: None,
        bio: None,
        public_repos: repos.total,
        followers: 0,
        following: 0,
        created_at: created.clone(),
        updated_at: created,
    })
}

/// `GET /user`: the caller.
pub async fn me(
    State(state): State<AppState>,
    GhAuthed(caller): GhAuthed,
    base: ApiBase,
) -> Result<Json<UserJson>, GhError> {
    Ok(Json(user_json(&state, &base, &caller.user).await?))
}

/// `GET /users/{username}`: anyone's public profile (their keys are public too); names match
/// case-insensitively, as on GitHub. An inactive account is not found.
pub async fn by_name(
    State(state): State<AppState>,
    base: ApiBase,
    GhPath(username): GhPath<String>,
) -> Result<Json<UserJson>, GhError> {
    let found = accounts::find_by_username(&state.db, &username).await?.filter(|u| u.is_active);
    let user = found.ok_or_else(|| GhError(AppError::NotFound("Not Found".into())))?;
    Ok(Json(user_json(&state, &base, &user).await?))
}
