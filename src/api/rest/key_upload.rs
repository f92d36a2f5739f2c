//! `POST /settings/ssh-keys/upload`: importing a private key from an uploaded file. A plain
//! multipart form, so it works the same with JavaScript off; the answer is a redirect back to the
//! page it came from (the SSH Keys page or the setup wizard), with a safe error message in the query
//! when the import failed.

use crate::error::AppError;
use crate::server::auth::Authed;
use crate::server::services::ssh_keys::{self, NewKey};
use crate::server::state::AppState;
use axum::extract::{Multipart, State};
use axum::response::Redirect;

const PAGE: &str = "/settings/ssh-keys";
/// The only other page a form may ask to return to: a free `return_to` would be an open redirect.
const SETUP_PAGE: &str = "/setup";
const MAX_FILE: usize = 64 * 1024;

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
    let unreadable =
        || AppError::BadRequest { field: Some("key_file".into()), message: "The upload could not be read.".into() };
    let mut form = Upload {
        name: String::new(),
        description: String::new(),
        passphrase: String::new(),
        system: false,
        file: None,
        return_to: PAGE,
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|_| unreadable())?;
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

fn back_with_error(page: &str, error: &AppError) -> Redirect {
    let message: String = error.to_string().chars().take(300).collect();
    let query: String = crate::server::percent::percent_encode(&message, false);
    Redirect::to(&format!("{page}?upload_error={query}"))
}

async fn import(state: &AppState, caller: &Authed, form: Upload) -> Result<(), AppError> {
    let file = form.file.ok_or_else(|| AppError::invalid("key_file", "Choose a private key file to upload."))?;
    let new = NewKey::new(&form.name, &form.description, form.system);
    let passphrase = Some(form.passphrase.as_str()).filter(|p| !p.is_empty());
    ssh_keys::import_text(&state.db, &state.master_key, &caller.actor(), new, &file, passphrase, None).await?;
    Ok(())
}

pub async fn upload(State(state): State<AppState>, caller: Authed, multipart: Multipart) -> Redirect {
    let form = match caller.require_admin() {
        Ok(()) => read_form(multipart).await,
        Err(error) => Err(error),
    };
    let (page, result) = match form {
        Ok(form) => (form.return_to, import(&state, &caller, form).await),
        Err(error) => (PAGE, Err(error)),
    };
    match result {
        Ok(()) => Redirect::to(page),
        Err(error) => back_with_error(page, &error),
    }
}
