//! Extractors for the GitHub-shaped routes: the same authentication and body parsing as the rest of
//! the API, answered with GitHub's error shape.

use super::error::GhError;
use crate::error::AppError;
use crate::server::auth::{Authed, authenticate};
use crate::server::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The signed-in caller (session or token); 401 "Requires authentication" otherwise.
pub struct GhAuthed(pub Authed);

impl FromRequestParts<AppState> for GhAuthed {
    type Rejection = GhError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(state, parts).await {
            Ok(Some(caller)) => Ok(GhAuthed(caller)),
            Ok(None) => Err(GhError(AppError::unauthenticated())),
            Err(err) => Err(GhError(err)),
        }
    }
}

/// A JSON body; malformed JSON is 400 "Problems parsing JSON", a wrong type a 422 naming the field.
pub struct GhJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for GhJson<T> {
    type Rejection = GhError;

    /// Like GitHub, the body is read as JSON whatever its Content-Type (`curl -d` sends a form type).
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                GhError(AppError::TooLarge("The request body is too large (limit 1 MiB).".into()))
            } else {
                GhError(AppError::BadRequest { field: None, message: "The request body could not be read.".into() })
            }
        })?;
        let parse_error = || GhError(AppError::BadRequest { field: None, message: "Problems parsing JSON".into() });
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            if err.inner().classify() == serde_json::error::Category::Data {
                GhError(crate::api::rest::body::data_error(&format!("{}: {}", err.path(), err.inner())))
            } else {
                parse_error()
            }
        })?;
        deserializer.end().map_err(|_| parse_error())?;
        Ok(GhJson(value))
    }
}

/// Path parameters; a key id that is not a number cannot exist, so it is 404 as GitHub answers.
pub struct GhPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for GhPath<T> {
    type Rejection = GhError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| GhPath(value))
            .map_err(|_| GhError(AppError::NotFound("Not Found".into())))
    }
}
