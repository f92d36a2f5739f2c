//! Errors in GitHub's shape: `{"message", "errors": [{"resource", "field", "code", "message"}],
//! "documentation_url"}`. Validation problems and conflicts are both 422, as GitHub answers them.

use crate::error::AppError;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

const DOCS: &str = "https://docs.github.com/rest";

#[derive(Debug)]
pub struct GhError(pub AppError);

impl From<AppError> for GhError {
    fn from(err: AppError) -> Self {
        GhError(err)
    }
}

impl From<crate::server::error::ServiceError> for GhError {
    fn from(err: crate::server::error::ServiceError) -> Self {
        GhError(err.into())
    }
}

/// Which GitHub resource a field belongs to, for the `errors` array.
fn resource_of(field: &str) -> &'static str {
    match field {
        "key" | "title" | "read_only" => "PublicKey",
        "name" | "description" => "Repository",
        _ => "Request",
    }
}

impl IntoResponse for GhError {
    fn into_response(self) -> Response {
        let err = self.0;
        let (status, message) = match &err {
            AppError::BadRequest { message, .. } => (StatusCode::BAD_REQUEST, message.clone()),
            AppError::Unauthorized(m) if m == "Requires authentication" => {
                (StatusCode::UNAUTHORIZED, "Requires authentication".to_string())
            }
            AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Bad credentials".to_string()),
            AppError::Forbidden { message, .. } => (StatusCode::FORBIDDEN, message.clone()),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not Found".to_string()),
            AppError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed".to_string()),
            AppError::TooLarge(message) => (StatusCode::PAYLOAD_TOO_LARGE, message.clone()),
            // GitHub's top-level message for every 422; the reason is in `errors`.
            AppError::Conflict { .. } | AppError::Invalid { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Validation Failed".to_string())
            }
            AppError::TooManyRequests { message, .. } => (StatusCode::TOO_MANY_REQUESTS, message.clone()),
            AppError::Busy { message, .. } => (StatusCode::SERVICE_UNAVAILABLE, message.clone()),
            AppError::Internal(message) => (StatusCode::INTERNAL_SERVER_ERROR, message.clone()),
            AppError::Upstream { message, .. } => (StatusCode::BAD_GATEWAY, message.clone()),
        };
        let errors = err.field().map(|field| {
            let reason = err.to_string();
            let code = match &err {
                AppError::Conflict { .. } => "already_exists",
                _ if reason.ends_with("is required") => "missing_field",
                _ => "invalid",
            };
            vec![json!({ "resource": resource_of(field), "field": field, "code": code, "message": reason })]
        });
        let mut body = json!({ "message": message, "documentation_url": DOCS });
        if let Some(errors) = errors {
            body["errors"] = json!(errors);
        }
        let mut response = (status, axum::Json(body)).into_response();
        match &err {
            AppError::Forbidden { needed_scopes: Some(scopes), .. } => {
                if let Ok(value) = HeaderValue::from_str(scopes) {
                    response.headers_mut().insert("x-accepted-oauth-scopes", value);
                }
            }
            AppError::TooManyRequests { retry_after_secs, .. } | AppError::Busy { retry_after_secs, .. } => {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, (*retry_after_secs).into());
            }
            _ => {}
        }
        response
    }
}
