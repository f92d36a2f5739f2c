//! The GitHub-shaped keys API: people's public keys, repositories and their deploy keys. Field
//! names, status codes, errors and pagination follow GitHub, because provisioning tools read it.

mod deploy_keys;
mod error;
mod extract;
mod paging;
mod repos;
mod user_keys;
mod users;

use crate::model::Scope;
use crate::server::access::{Access, GuardedRoutes};
use crate::server::entities::public_key;
use crate::server::services::rfc3339;
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

pub use error::GhError;

fn deny(err: crate::error::AppError) -> Response {
    GhError(err).into_response()
}

/// The GitHub-shaped routes with their rules; refusals answer in GitHub's error shape.
pub fn routes(state: &AppState) -> GuardedRoutes {
    let repo = Access::signed_in(Scope::Repo);
    GuardedRoutes::new(state, deny)
        .owns("/user")
        .owns("/users")
        .owns("/repos")
        .owns(paging::ENTERPRISE_PREFIX)
        .also_under(paging::ENTERPRISE_PREFIX)
        .get("/user", Access::SIGNED_IN_ANY_SCOPE, users::me)
        .get("/users/{username}", Access::ANYONE, users::by_name)
        .get("/user/keys", Access::signed_in(Scope::ReadPublicKey), user_keys::list)
        .post("/user/keys", Access::signed_in(Scope::WritePublicKey), user_keys::create)
        .get("/user/keys/{id}", Access::signed_in(Scope::ReadPublicKey), user_keys::get_one)
        .delete("/user/keys/{id}", Access::signed_in(Scope::AdminPublicKey), user_keys::delete)
        .get("/users/{username}/keys", Access::ANYONE, user_keys::of_user)
        .get("/user/repos", repo, repos::list)
        .post("/user/repos", repo, repos::create)
        .get("/repos/{owner}/{repo}", repo, repos::get_one)
        .delete("/repos/{owner}/{repo}", repo, repos::delete)
        .get("/repos/{owner}/{repo}/keys", repo, deploy_keys::list)
        .post("/repos/{owner}/{repo}/keys", repo, deploy_keys::create)
        .get("/repos/{owner}/{repo}/keys/{id}", repo, deploy_keys::get_one)
        .delete("/repos/{owner}/{repo}/keys/{id}", repo, deploy_keys::delete)
}

/// `GET /{username}.keys` cannot be a route (a path segment cannot end in a fixed suffix), so this
/// layer answers it before the pages' router sees the path.
pub async fn dot_keys(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let username = path
        .strip_prefix('/')
        .and_then(|p| p.strip_suffix(".keys"))
        .filter(|name| !name.is_empty() && !name.contains('/'));
    match (request.method() == Method::GET || request.method() == Method::HEAD, username) {
        (true, Some(name)) => user_keys::plain_text(&state, name).await,
        _ => next.run(request).await,
    }
}

/// What `POST /user/keys` and `POST /repos/…/keys` accept.
#[derive(Deserialize)]
pub struct KeyBody {
    title: Option<String>,
    key: Option<String>,
    read_only: Option<bool>,
}

/// A key as GitHub shows it; `verified` is always false because Keyhaven does not verify keys.
/// Serialised straight from the row (no intermediate JSON tree): lists of 100 keys are hot.
#[derive(Serialize)]
struct KeyJson<'a> {
    id: i32,
    title: &'a str,
    key: &'a str,
    fingerprint: &'a str,
    verified: bool,
    created_at: String,
    read_only: bool,
    url: String,
}

fn key_json(key: &public_key::Model, url: String) -> KeyJson<'_> {
    KeyJson {
        id: key.id,
        title: &key.title,
        key: &key.key,
        fingerprint: &key.fingerprint,
        verified: false,
        created_at: rfc3339(&key.created_at),
        read_only: key.read_only,
        url,
    }
}

/// A JSON array with its `Link` header when there is more than one page.
fn listed<T: Serialize>(items: Vec<T>, link: Option<HeaderValue>) -> Response {
    let mut response = axum::Json(items).into_response();
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}
