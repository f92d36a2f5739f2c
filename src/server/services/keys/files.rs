//! Importing a private key by file path (Borg UI's `private_key_path`), only from directories the
//! operator listed in `KEYHAVEN_IMPORT_DIRS`. Paths are resolved (symlinks and `..` included)
//! before the check, so nothing outside those directories can be read.

use crate::server::error::ServiceError;
use std::path::{Path, PathBuf};

const MAX_KEY_FILE: u64 = 64 * 1024;

fn refused(path: &str) -> ServiceError {
    ServiceError::Forbidden(format!(
        "Keyhaven may only import keys from the directories listed in KEYHAVEN_IMPORT_DIRS; '{path}' is not inside one."
    ))
}

/// Resolves `path` and checks that it is a regular file inside one of `allowed`.
fn resolve_inside(path: &str, allowed: &[PathBuf], field: &'static str) -> Result<PathBuf, ServiceError> {
    if allowed.is_empty() {
        return Err(ServiceError::Forbidden(
            "Importing keys by path is off; set KEYHAVEN_IMPORT_DIRS to the directories to allow, or paste the key instead.".into(),
        ));
    }
    if path.trim().is_empty() {
        return Err(ServiceError::invalid(field, format!("{field} is required.")));
    }
    let requested = Path::new(path.trim());
    if !requested.is_absolute() {
        return Err(ServiceError::invalid(field, format!("{field} must be an absolute path.")));
    }
    let resolved = requested.canonicalize().map_err(|_| refused_or_missing(path, allowed))?;
    let inside = allowed.iter().filter_map(|dir| dir.canonicalize().ok()).any(|dir| resolved.starts_with(&dir));
    if !inside {
        return Err(refused(path));
    }
    let meta = std::fs::metadata(&resolved).map_err(|_| ServiceError::invalid(field, "The file cannot be read."))?;
    if !meta.is_file() {
        return Err(ServiceError::invalid(field, "This path is not a file."));
    }
    if meta.len() > MAX_KEY_FILE {
        return Err(ServiceError::invalid(field, "This file is too large to be an SSH key."));
    }
    Ok(resolved)
}

/// A path that does not exist is only reported as missing when it would be inside the allowed
/// directories; otherwise the answer is the same refusal, so the API cannot probe the filesystem.
fn refused_or_missing(path: &str, allowed: &[PathBuf]) -> ServiceError {
    let lexically_inside = allowed.iter().any(|dir| Path::new(path).starts_with(dir)) && !path.contains("..");
    if lexically_inside { ServiceError::invalid("private_key_path", "No such file.") } else { refused(path) }
}

/// Reads the private key and, when present, its public key: `public_key_path`, else `<private>.pub`
/// if it exists, else none (the public key is then derived from the private key).
pub fn read_key_files(
    private_path: &str,
    public_path: Option<&str>,
    allowed: &[PathBuf],
) -> Result<(String, Option<String>), ServiceError> {
    let private = resolve_inside(private_path, allowed, "private_key_path")?;
    let private_text = std::fs::read_to_string(&private)
        .map_err(|_| ServiceError::invalid("private_key_path", "The file cannot be read as text."))?;
    let public_text = match public_path.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            let resolved = resolve_inside(p, allowed, "public_key_path")?;
            Some(
                std::fs::read_to_string(resolved)
                    .map_err(|_| ServiceError::invalid("public_key_path", "The file cannot be read."))?,
            )
        }
        None => {
            let default = format!("{}.pub", private_path.trim());
            match resolve_inside(&default, allowed, "public_key_path") {
                Ok(resolved) => std::fs::read_to_string(resolved).ok(),
                Err(_) => None,
            }
        }
    };
    Ok((private_text, public_text))
}
