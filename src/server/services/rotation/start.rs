//! Starting a rotation: checks, the successor key, the job with one row per connection that uses
//! the old key, and the task that drives it.

use super::{Rotator, jobs, runner};
use crate::model::RotationView;
use crate::server::error::ServiceError;
use crate::server::services::audit::Actor;
use crate::server::services::connections;
use crate::server::services::keys::{self, KeySpec, NewKey};

/// What the operator asked for.
#[derive(Debug, Default)]
pub struct StartRotation {
    /// Look at every host, change nothing.
    pub dry_run: bool,
    /// The successor's type (`ed25519`, `ecdsa`, `rsa`); the old key's when absent.
    pub key_type: Option<String>,
    pub bits: Option<u32>,
}

/// The successor's name while both keys exist: the old name (shortened) and the start time.
fn successor_name(old: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let base: String = old.chars().take(40).collect();
    format!("{} next {}", base.trim_end(), at.format("%Y%m%d%H%M%S"))
}

fn successor_comment(old: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let slug: String = old.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("keyhaven-{slug}-{}", at.format("%Y%m%d"))
}

/// Starts rotating key `key_id` and returns the job as it starts (its hosts pending).
pub async fn start(
    ctx: &Rotator,
    actor: &Actor,
    key_id: i32,
    request: StartRotation,
) -> Result<RotationView, ServiceError> {
    let old = keys::get_key(&ctx.db, key_id).await?;
    if let Some(open) = jobs::unfinished(&ctx.db, key_id).await? {
        return Err(ServiceError::conflict(
            "key",
            format!("Rotation {} of this key is not finished ({}); finish or retry it first.", open.id, open.state),
        ));
    }
    let spec = match &request.key_type {
        Some(kind) => KeySpec::parse(kind, request.bits),
        None => KeySpec::parse(&old.key_type, u32::try_from(old.bits).ok()),
    }
    .map_err(|message| ServiceError::invalid("key_type", message))?;
    let users = connections::key_users(&ctx.db, key_id).await?;
    let targets: Vec<(i32, String)> = users.into_iter().map(|u| (u.connection_id, u.target)).collect();
    let new = if request.dry_run {
        None
    } else {
        let now = chrono::Utc::now();
        let name = successor_name(&old.name, now);
        let comment = successor_comment(&old.name, now);
        let new_key = NewKey { name: &name, description: &old.description, system: false, comment: Some(&comment) };
        Some(keys::generate(&ctx.db, &ctx.changes, &ctx.master, actor, new_key, spec).await?)
    };
    let job = jobs::create(&ctx.db, actor, &old, new.as_ref(), &targets).await?;
    tokio::spawn(runner::run(ctx.clone(), job.id));
    jobs::view(&ctx.db, job.id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_is_named_and_commented_as_a_key_may_be() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-06T22:15:00Z").unwrap().to_utc();
        let name = successor_name("System SSH Key", at);
        assert_eq!(name, "System SSH Key next 20261206221500");
        assert!(keys::validate_name(&name).is_ok());
        let long = "x".repeat(64);
        assert!(keys::validate_name(&successor_name(&long, at)).is_ok());
        assert_eq!(successor_comment("System SSH Key", at), "keyhaven-system-ssh-key-20261206");
    }
}
