//! Request bodies that fail with the API's own errors (400 "Problems parsing JSON", a 422 naming the
//! field) instead of axum's plain-text rejections.

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(err)) => Err(data_error(&err.body_text())),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest {
                field: None,
                message: "Send the body as JSON with 'Content-Type: application/json'.".into(),
            }),
            Err(JsonRejection::BytesRejection(rejection)) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge("The request body is too large (limit 1 MiB).".into()))
            }
            Err(JsonRejection::BytesRejection(_)) => {
                Err(AppError::BadRequest { field: None, message: "The request body could not be read.".into() })
            }
            Err(_) => Err(AppError::BadRequest { field: None, message: "Problems parsing JSON".into() }),
        }
    }
}

/// serde says e.g. "missing field `password`" or "username: invalid type: ..."; name the field.
pub(crate) fn data_error(text: &str) -> AppError {
    let detail = text.split_once("target type: ").map(|(_, rest)| rest).unwrap_or(text);
    let field = if let Some((_, rest)) = detail.split_once("missing field `") {
        rest.split('`').next().map(str::to_string)
    } else {
        detail.split_once(": ").map(|(path, _)| path.trim().to_string())
    }
    .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'));
    let message = match &field {
        Some(f) if detail.contains("missing field") => format!("{f} is required."),
        Some(f) => format!("{f} has the wrong type."),
        None => "The JSON body has the wrong shape.".into(),
    };
    AppError::Invalid { field, message }
}

/// A path parameter that answers 400 naming the parameter when it does not parse.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|_| AppError::BadRequest {
                field: Some("id".into()),
                message: "The id in the URL must be a number.".into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_are_named() {
        let err = data_error(
            "Failed to deserialize the JSON body into the target type: missing field `password` at line 1 column 20",
        );
        assert_eq!(err.field(), Some("password"));
        assert_eq!(err.status_code(), 422);
        let err = data_error(
            "Failed to deserialize the JSON body into the target type: username: invalid type: integer `5`, expected a string at line 1 column 40",
        );
        assert_eq!(err.field(), Some("username"));
    }
}
