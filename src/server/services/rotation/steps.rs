//! One connection's steps, each on its own login, each safe to run again after a crash (adding a
//! line already there writes nothing, a switch already made changes nothing, a line already gone is
//! not missed): stage (log in with the old key, add the new key's line), verify (log in with the new
//! key alone), switch (the connection uses the new key), clean (log in with the new key, remove the
//! old key's line — only while the new key's line is there). At every moment one key that the
//! connection uses logs in.

use super::Rotator;
use crate::model::host_state;
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use crate::server::services::audit::Actor;
use crate::server::services::connections::{self, Switched};
use crate::server::services::remote::{SshSlot, Stages};
use crate::server::ssh::authorized_file::AuthorizedFile;
use crate::server::ssh::authorized_keys::{key_blob, lines_of};
use crate::server::ssh::client::Session;
use crate::server::ssh::error::SshError;
use crate::server::ssh::read_authorized::Found;
use crate::server::ssh::remove_key::Target;
use russh::keys::ssh_key::PrivateKey;

/// The two keys of a rotation, opened once for all its hosts.
pub(super) struct Pair {
    pub old: ssh_key::Model,
    pub old_private: PrivateKey,
    pub old_blob: String,
    /// None in a dry run.
    pub new: Option<(ssh_key::Model, PrivateKey, String)>,
}

/// What a step came to.
pub(super) enum Step {
    /// The host reached this state; the detail says what was done.
    To(&'static str, Option<String>),
    /// Left out, with why.
    Skip(String),
}

/// A failed step: the reason, and whether Keyhaven cannot do it without a person.
pub(super) struct Failure {
    pub reason: String,
    pub manual: bool,
    /// Another editor holds the host's lock (or a crashed one left it): worth waiting for.
    pub transient: bool,
}

impl Failure {
    pub fn internal(reason: &str) -> Failure {
        Failure { reason: reason.into(), manual: false, transient: false }
    }
}

impl From<ServiceError> for Failure {
    fn from(err: ServiceError) -> Self {
        Failure { reason: err.to_string(), manual: false, transient: false }
    }
}

impl From<SshError> for Failure {
    fn from(err: SshError) -> Self {
        // A busy lock or a concurrent edit passes; anything else needs a password or a person.
        let manual = !matches!(err, SshError::Busy(_) | SshError::ChangedMeanwhile | SshError::Timeout { .. });
        let transient = matches!(err, SshError::Busy(_) | SshError::ChangedMeanwhile);
        Failure { reason: err.to_string(), manual, transient }
    }
}

pub(super) fn blob_of(key: &ssh_key::Model) -> String {
    key_blob(&key.public_key).unwrap_or_default().to_string()
}

/// Logs in to the connection's host with `key`, inside its host's SSH slot.
pub(super) async fn login(
    ctx: &Rotator,
    conn: &ssh_connection::Model,
    key: &PrivateKey,
) -> Result<(Session, SshSlot), Failure> {
    let target = connections::connection_target(&ctx.db, conn).await?;
    let slot = ctx.gate.slot(&target.host, target.port).await?;
    let mut stages = Stages::default();
    let session = connections::login_with_key(&ctx.gate, &target, key.clone(), &mut stages).await?;
    Ok((session, slot))
}

/// The file's bytes (empty when it is missing).
async fn content(file: &AuthorizedFile<'_>) -> Result<Vec<u8>, SshError> {
    Ok(match file.read().await? {
        Found::File(bytes) => bytes,
        Found::Missing => Vec::new(),
    })
}

/// Whether the old key's lines can be replaced: plain lines in `~/.ssh/authorized_keys`.
fn editable(content: &[u8], old_blob: &str) -> Result<usize, SshError> {
    match lines_of(content, old_blob) {
        (_, Some(options)) => Err(SshError::KeyRestricted(options)),
        (0, None) => Err(SshError::PermissionDenied(
            "the old key logs in, but not through ~/.ssh/authorized_keys (another AuthorizedKeysFile?); \
             replace it there by hand"
                .into(),
        )),
        (plain, None) => Ok(plain),
    }
}

/// Dry run: what a rotation would do here, from a read-only look with the old key.
pub(super) async fn check(ctx: &Rotator, pair: &Pair, conn: &ssh_connection::Model) -> Result<Step, Failure> {
    let (session, _slot) = login(ctx, conn, &pair.old_private).await?;
    let read = async {
        let file = AuthorizedFile::open(&session, conn.use_sftp_mode).await?;
        let bytes = content(&file).await;
        file.close().await;
        bytes
    }
    .await;
    session.close().await;
    let plain = editable(&read?, &pair.old_blob)?;
    let how = if conn.use_sftp_mode { "over SFTP" } else { "through the shell" };
    Ok(Step::To(
        host_state::CHECKED,
        Some(format!("would add the new key's line and remove {plain} line(s) of the old key, {how}")),
    ))
}

/// pending → staged.
pub(super) async fn stage(ctx: &Rotator, pair: &Pair, conn: &ssh_connection::Model) -> Result<Step, Failure> {
    let Some((_, _, new_line)) = &pair.new else {
        return Err(Failure::internal("no successor"));
    };
    let (session, _slot) = login(ctx, conn, &pair.old_private).await?;
    let _account = ctx.gate.account(&conn.host, u16::try_from(conn.port).unwrap_or(22), &conn.username).await;
    let outcome = async {
        let file = AuthorizedFile::open(&session, conn.use_sftp_mode).await?;
        editable(&content(&file).await?, &pair.old_blob)?;
        let installed = file.add(new_line).await;
        file.close().await;
        installed
    }
    .await;
    session.close().await;
    let installed = outcome?;
    let done = if installed.written { "the new key's line was added" } else { "the new key's line was already there" };
    let detail = std::iter::once(done.to_string()).chain(installed.warnings).collect::<Vec<_>>().join("; ");
    Ok(Step::To(host_state::STAGED, Some(detail)))
}

/// staged → verified.
pub(super) async fn verify(ctx: &Rotator, pair: &Pair, conn: &ssh_connection::Model) -> Result<Step, Failure> {
    let Some((_, new_private, _)) = &pair.new else {
        return Err(Failure::internal("no successor"));
    };
    let (session, _slot) = login(ctx, conn, new_private).await.map_err(|f| Failure {
        reason: format!("the new key's line is on the host but the new key does not log in: {}", f.reason),
        ..f
    })?;
    session.close().await;
    Ok(Step::To(host_state::VERIFIED, Some("the new key logs in alone".into())))
}

/// verified → switched.
pub(super) async fn switch(ctx: &Rotator, pair: &Pair, conn: &ssh_connection::Model) -> Result<Step, Failure> {
    let Some((new, _, _)) = &pair.new else { return Err(Failure::internal("no successor")) };
    let actor = Actor::system();
    match connections::switch_key(&ctx.db, &ctx.changes, &actor, conn.id, pair.old.id, new.id).await? {
        Switched::Done => Ok(Step::To(host_state::SWITCHED, Some("the connection uses the new key".into()))),
        Switched::Elsewhere => Ok(Step::Skip("the connection no longer uses the old key; left as it is".into())),
    }
}

/// switched → cleaned.
pub(super) async fn clean(ctx: &Rotator, pair: &Pair, conn: &ssh_connection::Model) -> Result<Step, Failure> {
    let Some((new, new_private, _)) = &pair.new else {
        return Err(Failure::internal("no successor"));
    };
    let new_blob = blob_of(new);
    let (session, _slot) = login(ctx, conn, new_private).await?;
    let _account = ctx.gate.account(&conn.host, u16::try_from(conn.port).unwrap_or(22), &conn.username).await;
    let target = Target::Key { old_blob: &pair.old_blob, keep_blob: &new_blob };
    let removed = async {
        let file = AuthorizedFile::open(&session, conn.use_sftp_mode).await?;
        let removed = file.remove(target).await;
        file.close().await;
        removed
    }
    .await;
    session.close().await;
    let detail = match removed?.lines {
        0 => "the old key's line was already gone".to_string(),
        n => format!("removed {n} line(s) of the old key"),
    };
    Ok(Step::To(host_state::CLEANED, Some(detail)))
}
