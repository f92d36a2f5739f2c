//! What a connection is made of, as requests give it, and the checks every field passes before it
//! is stored: hosts, user names and paths end up in SSH sessions and in `ssh_config` for other
//! tools.

use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::services::hosts::{validate_host, validate_port};
use sea_orm::{ConnectionTrait, EntityTrait, Set};

const MAX_PATH: usize = 1024;

/// A field of an update: left alone, cleared (`null`), or set.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> From<Option<Option<T>>> for Patch<T> {
    fn from(value: Option<Option<T>>) -> Self {
        match value {
            None => Patch::Keep,
            Some(None) => Patch::Clear,
            Some(Some(v)) => Patch::Set(v),
        }
    }
}

/// What a connection is made of, as a request gives it (every field optional on update).
#[derive(Clone, Debug, Default)]
pub struct ConnectionFields {
    pub host: Patch<String>,
    pub username: Patch<String>,
    pub port: Patch<i64>,
    pub ssh_key_id: Patch<i32>,
    pub use_sftp_mode: Patch<bool>,
    pub use_sudo: Patch<bool>,
    pub default_path: Patch<String>,
    pub ssh_path_prefix: Patch<String>,
    pub mount_point: Patch<String>,
}

/// Login names: never starting with `-` (an ssh option), no `@`, `:` or whitespace.
pub fn validate_username(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '$'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(ServiceError::invalid(
            "username",
            "Username must be 1–64 letters, digits, '.', '_' or '-', and not start with '-'.",
        ))
    }
}

/// Absolute paths (or BorgBase's `/./repo`), one line, no NUL.
pub fn validate_path(field: &'static str, raw: &str) -> Result<Option<String>, ServiceError> {
    let path = raw.trim();
    if path.is_empty() {
        return Ok(None);
    }
    if !path.starts_with('/') || path.len() > MAX_PATH || path.chars().any(char::is_control) {
        return Err(ServiceError::invalid(field, format!("{field} must be an absolute path (starting with /).")));
    }
    Ok(Some(path.to_string()))
}

fn optional_path(
    field: &'static str,
    patch: &Patch<String>,
    current: Option<String>,
) -> Result<Option<String>, ServiceError> {
    match patch {
        Patch::Keep => Ok(current),
        Patch::Clear => Ok(None),
        Patch::Set(p) => validate_path(field, p),
    }
}

fn required<T: Clone>(field: &'static str, patch: &Patch<T>, current: Option<T>) -> Result<T, ServiceError> {
    match (patch, current) {
        (Patch::Set(v), _) => Ok(v.clone()),
        (Patch::Keep, Some(v)) => Ok(v),
        _ => Err(ServiceError::invalid(field, format!("{field} is required."))),
    }
}

/// Applies `fields` to `current` (None when creating), checking every value.
/// Checks new connection fields without saving them (the wizard logs in before it saves).
pub async fn check_new(
    db: &impl ConnectionTrait,
    fields: &ConnectionFields,
) -> Result<ssh_connection::ActiveModel, ServiceError> {
    apply(db, fields, None).await
}

pub(super) async fn apply(
    db: &impl ConnectionTrait,
    fields: &ConnectionFields,
    current: Option<&ssh_connection::Model>,
) -> Result<ssh_connection::ActiveModel, ServiceError> {
    Ok(apply_named(db, fields, current).await?.0)
}

/// `apply`, plus the name of the key the connection uses when it was read on the way (a new
/// connection's key), so that the answer needs no second query.
pub(super) async fn apply_named(
    db: &impl ConnectionTrait,
    fields: &ConnectionFields,
    current: Option<&ssh_connection::Model>,
) -> Result<(ssh_connection::ActiveModel, Option<Option<String>>), ServiceError> {
    let mut key_name = None;
    let host = validate_host(&required("host", &fields.host, current.map(|c| c.host.clone()))?)?;
    let username = validate_username(&required("username", &fields.username, current.map(|c| c.username.clone()))?)?;
    let port = match &fields.port {
        Patch::Set(p) => validate_port(*p)?,
        Patch::Keep => current.map(|c| u16::try_from(c.port).unwrap_or(22)).unwrap_or(22),
        Patch::Clear => 22,
    };
    let ssh_key_id = match &fields.ssh_key_id {
        Patch::Set(id) => {
            let key = ssh_key::Entity::find_by_id(*id)
                .one(db)
                .await?
                .ok_or_else(|| ServiceError::invalid("ssh_key_id", "There is no SSH key with this id."))?;
            key_name = Some(Some(key.name));
            Some(*id)
        }
        Patch::Clear => {
            key_name = Some(None);
            None
        }
        Patch::Keep => match current {
            Some(c) => c.ssh_key_id,
            None => {
                let key = crate::server::services::keys::system_key(db).await?;
                key_name = Some(key.as_ref().map(|k| k.name.clone()));
                key.map(|k| k.id)
            }
        },
    };
    let use_sftp_mode = match &fields.use_sftp_mode {
        Patch::Set(v) => *v,
        _ => current.is_some_and(|c| c.use_sftp_mode),
    };
    let mut model: ssh_connection::ActiveModel = match current {
        Some(c) => c.clone().into(),
        None => ssh_connection::ActiveModel {
            status: Set("unknown".into()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        },
    };
    model.default_path =
        Set(optional_path("default_path", &fields.default_path, current.and_then(|c| c.default_path.clone()))?);
    model.ssh_path_prefix = Set(optional_path(
        "ssh_path_prefix",
        &fields.ssh_path_prefix,
        current.and_then(|c| c.ssh_path_prefix.clone()),
    )?);
    model.mount_point =
        Set(optional_path("mount_point", &fields.mount_point, current.and_then(|c| c.mount_point.clone()))?);
    let login_changed = current.is_none_or(|c| {
        c.host != host
            || c.username != username
            || c.port != i32::from(port)
            || c.ssh_key_id != ssh_key_id
            || c.use_sftp_mode != use_sftp_mode
    });
    if login_changed {
        model.status = Set("unknown".into());
        model.error_message = Set(None);
    }
    model.host = Set(host);
    model.username = Set(username);
    model.port = Set(i32::from(port));
    model.ssh_key_id = Set(ssh_key_id);
    model.use_sftp_mode = Set(use_sftp_mode);
    model.use_sudo = Set(match &fields.use_sudo {
        Patch::Set(v) => *v,
        _ => current.is_some_and(|c| c.use_sudo),
    });
    model.updated_at = Set(chrono::Utc::now());
    Ok((model, key_name))
}
