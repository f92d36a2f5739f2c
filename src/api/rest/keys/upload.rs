//! `POST /settings/ssh-keys/upload`: importing a private key from an uploaded file. A plain
//! multipart form, so it works the same with JavaScript off; the answer is a redirect back to the
//! page it came from (the SSH Keys page or the setup wizard), with a safe error message in the query
//! when the import failed.

use crate::error::AppError;
use crate::server::access::{Access, GuardedRoutes};
use crate::server::auth::Authed;
use crate::server::services::keys::{self, NewKey};
use crate::server::state::AppState;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};

const PAGE: &str = "/settings/ssh-keys";
/// The only other page a form may ask to return to: a free `return_to` would be an open redirect.
const SETUP_PAGE: &str = "/setup";
const MAX_FILE: usize = 64 * 1024;
/// Room for the form's other fields (name, description, passphrase) and the multipart framing.
const MAX_FIELDS: usize = 16 * 1024;

struct Upload {
    name: String,
    description: String,
    passphrase: String,
    system: bool,
    file: Option<String>,
    /// Where the answer goes: this page, or the setup wizard when the form says so.
    return_to: &'static str,
}

async fn read_form(mut multipart: Multipart) -> Result<Upload, AppError> {
    let unreadable = |err: axum::extract::multipart::MultipartError| {
        if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge("This upload is too large to be an SSH private key.".into())
        } else {
            AppError::BadRequest { field: Some("key_file".into()), message: "The upload could not be read.".into() }
        }
    };
    let mut form = Upload {
        name: String::new(),
        description: String::new(),
        passphrase: String::new(),
        system: false,
        file: None,
        return_to: PAGE,
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(unreadable)?;
        if bytes.len() > MAX_FILE {
            return Err(AppError::invalid("key_file", "This file is too large to be an SSH private key."));
        }
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| AppError::invalid("key_file", "The file is not a text key file."))?;
        match name.as_str() {
            "name" => form.name = text,
            "description" => form.description = text,
            "passphrase" => form.passphrase = text,
            "system" => form.system = true,
            "key_file" => form.file = Some(text).filter(|t| !t.trim().is_empty()),
            "return_to" if text == SETUP_PAGE => form.return_to = SETUP_PAGE,
            _ => {}
        }
    }
    Ok(form)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn back_with_error(page: &str, error: &AppError) -> Redirect {
    let message: String = error.to_string().chars().take(300).collect();
    let query: String = crate::server::percent::percent_encode(&message, false);
    Redirect::to(&format!("{page}?upload_error={query}"))
}

async fn import(state: &AppState, caller: &Authed, form: Upload) -> Result<(), AppError> {
    let file = form.file.ok_or_else(|| AppError::invalid("key_file", "Choose a private key file to upload."))?;
    let new = NewKey::new(&form.name, &form.description, form.system);
    let passphrase = Some(form.passphrase.as_str()).filter(|p| !p.is_empty());
    keys::import_text(&state.db, &state.changes, &state.master_key, &caller.actor(), new, &file, passphrase, None)
        .await?;
    Ok(())
}

/// The upload form's route: a browser form for admins. A lapsed session goes to the sign-in page;
/// anyone else refused gets a 403 page saying why (the form is shown to admins only).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::forms(state, refuse)
        .post("/settings/ssh-keys/upload", Access::BROWSER_ADMIN, upload)
        .body_limit(MAX_FILE + MAX_FIELDS)
}

fn refuse(error: AppError) -> Response {
    match error {
        AppError::Unauthorized(_) => Redirect::to("/login?next=%2Fsettings%2Fssh-keys").into_response(),
        other => {
            let status =
                axum::http::StatusCode::from_u16(other.status_code()).unwrap_or(axum::http::StatusCode::FORBIDDEN);
            let page = format!(
                "<!DOCTYPE html><title>Refused · Keyhaven</title><p>{}</p><p><a href=\"{PAGE}\">Back to SSH keys</a></p>",
                html_escape(&other.to_string())
            );
            (status, axum::response::Html(page)).into_response()
        }
    }
}

pub async fn upload(State(state): State<AppState>, caller: Authed, multipart: Multipart) -> Response {
    let form = read_form(multipart).await;
    if let Err(too_large @ AppError::TooLarge(_)) = form {
        return refuse(too_large);
    }
    let (page, result) = match form {
        Ok(form) => (form.return_to, import(&state, &caller, form).await),
        Err(error) => (PAGE, Err(error)),
    };
    match result {
        Ok(()) => Redirect::to(page).into_response(),
        Err(error) => back_with_error(page, &error).into_response(),
    }
}
