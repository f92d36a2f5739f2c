//! `AppError`: the only error that reaches a user, over a server function or the REST API.
//!
//! Every variant carries a message that is safe to show. Internal details are logged where a
//! `ServiceError` becomes an `AppError` (see `server::error`), never carried here.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON, a missing body).
    #[error("{message}")]
    BadRequest { field: Option<String>, message: String },
    /// 401: nobody is signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but not allowed. `needed_scopes` names a missing token scope.
    #[error("{message}")]
    Forbidden { message: String, needed_scopes: Option<String> },
    /// 404
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists, but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 413: the request body is larger than this route reads.
    #[error("{0}")]
    TooLarge(String),
    /// 409: the request conflicts with what is stored (a name taken, setup already done).
    #[error("{message}")]
    Conflict { field: Option<String>, message: String },
    /// 422: a field's value is not acceptable; `field` names it.
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// 429: too many attempts; retry after the given number of seconds.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after_secs: u64 },
    /// 503: the server is busy with other work of this kind; retry after the given seconds.
    #[error("{message}")]
    Busy { message: String, retry_after_secs: u64 },
    /// 502 (504 when it timed out): a remote host failed the request; the message says how.
    #[error("{message}")]
    Upstream { message: String, timed_out: bool },
    /// 500 with a generic message; the detail is in the server log.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid { field: Some(field.to_string()), message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden { message: message.into(), needed_scopes: None }
    }

    pub fn unauthenticated() -> Self {
        AppError::Unauthorized("Requires authentication".to_string())
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest { .. } => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden { .. } => 403,
            AppError::NotFound(_) => 404,
            AppError::MethodNotAllowed(_) => 405,
            AppError::TooLarge(_) => 413,
            AppError::Conflict { .. } => 409,
            AppError::Invalid { .. } => 422,
            AppError::TooManyRequests { .. } => 429,
            AppError::Busy { .. } => 503,
            AppError::Upstream { timed_out: false, .. } => 502,
            AppError::Upstream { timed_out: true, .. } => 504,
            AppError::Internal(_) => 500,
        }
    }

    /// The form field the message is about, for inline errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadRequest { field, .. } | AppError::Conflict { field, .. } | AppError::Invalid { field, .. } => {
                field.as_deref()
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::BadRequest {
                    field: None,
                    message: "The form could not be read; reload the page and try again.".into(),
                }
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                AppError::Internal("Keyhaven could not be reached; check your connection.".into())
            }
            _ => AppError::Internal("Something went wrong; the details are in the server log.".into()),
        }
    }
}
