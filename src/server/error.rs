//! `ServiceError` (the domain's error) and the single step that turns it into `AppError`.
//!
//! That step is where internal detail is logged and replaced by a message safe to show, so services
//! may put anything useful for an operator into their errors.

use crate::error::AppError;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// A user's allowance of SSH actions is used up; retry after the given seconds.
    #[error("too many SSH actions, retry in {retry_after_secs}s")]
    TooFast { retry_after_secs: u64 },
    /// Too much work at once (every password-check turn taken); retry shortly.
    #[error("busy, retry in {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    /// A remote host failed; the message is the classified SSH error, safe to show.
    #[error("remote: {message}")]
    Remote { message: String, timed_out: bool },
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field, message: message.into() }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict { field, message: message.into() }
    }
}

/// "try again in N minutes", rounded up so that a user never retries too early.
pub fn retry_message(retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many failed logins; try again in {minutes} {unit}.")
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid { field, message } => AppError::Invalid { field: Some(field.into()), message },
            ServiceError::Conflict { field, message } => AppError::Conflict { field: Some(field.into()), message },
            ServiceError::NotFound(what) => AppError::NotFound(what),
            ServiceError::Forbidden(message) => AppError::forbidden(message),
            ServiceError::Unauthorized(message) => AppError::Unauthorized(message),
            ServiceError::RateLimited { retry_after_secs } => {
                AppError::TooManyRequests { message: retry_message(retry_after_secs), retry_after_secs }
            }
            ServiceError::TooFast { retry_after_secs } => AppError::TooManyRequests {
                message: format!(
                    "Too many connections to hosts in a short time; try again in {retry_after_secs} seconds."
                ),
                retry_after_secs,
            },
            ServiceError::Busy { retry_after_secs } => AppError::Busy {
                message: "Keyhaven is busy checking other sign-ins; try again in a moment.".into(),
                retry_after_secs,
            },
            ServiceError::Remote { message, timed_out } => AppError::Upstream { message, timed_out },
            ServiceError::Db(detail) => {
                tracing::error!(error = %detail, "database error");
                AppError::Internal("A database error occurred; the details are in the server log.".into())
            }
            ServiceError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                AppError::Internal("Something went wrong; the details are in the server log.".into())
            }
        }
    }
}

/// REST answer for an error: `{"success": false, "detail": message, "field": name}` with its status,
/// plus `X-Accepted-OAuth-Scopes` or `Retry-After` where they apply.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({
            "success": false,
            "detail": self.to_string(),
            "field": self.field(),
        });
        let mut response = (status, axum::Json(body)).into_response();
        match &self {
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
