//! Password hashing with argon2id (the crate's defaults are OWASP's minimum: 19 MiB, 2 passes).
//!
//! Hashing costs ~20 ms of CPU and 19 MiB, so it runs on the blocking pool, never on the async
//! workers, and at most two per core at once: a flood of logins waits briefly for a turn and is
//! then answered 503 (with Retry-After) instead of growing memory without bound.

use crate::server::error::ServiceError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Turns at argon2: each hash or check holds one while it runs.
struct Turns {
    semaphore: Semaphore,
    /// How long a check waits for a turn before the request is answered "busy".
    wait: Duration,
}

impl Turns {
    async fn take(&self) -> Result<SemaphorePermit<'_>, ServiceError> {
        match tokio::time::timeout(self.wait, self.semaphore.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ServiceError::Busy { retry_after_secs: 1 }),
        }
    }
}

/// Two turns per core: enough to keep every core busy while one check waits on the scheduler.
async fn turn() -> Result<SemaphorePermit<'static>, ServiceError> {
    static TURNS: OnceLock<Turns> = OnceLock::new();
    let turns = TURNS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Turns { semaphore: Semaphore::new(cores.saturating_mul(2).max(2)), wait: Duration::from_secs(2) }
    });
    turns.take().await
}

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Checks a new password against the policy; names the field in the error.
pub fn validate_new_password(password: &str) -> Result<(), ServiceError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(ServiceError::invalid(
            "password",
            format!("Password must be at least {MIN_PASSWORD_LEN} characters long."),
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(ServiceError::invalid(
            "password",
            format!("Password must be at most {MAX_PASSWORD_LEN} bytes long."),
        ));
    }
    Ok(())
}

pub async fn hash_password(password: &str) -> Result<String, ServiceError> {
    let password = zeroize::Zeroizing::new(password.to_owned());
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("argon2 hash: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("hash task: {e}")))?
}

/// Verifies a password. With no stored hash (unknown user) it still does the work against a
/// throwaway hash, so response times do not tell which usernames exist. `Busy` when every turn
/// stayed taken.
pub async fn verify_password(password: &str, stored: Option<&str>) -> Result<bool, ServiceError> {
    let password = zeroize::Zeroizing::new(password.to_owned());
    let stored = stored.map(str::to_owned);
    let _turn = turn().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash_text = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&hash_text) else {
            return false;
        };
        let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        known && ok
    })
    .await
    .unwrap_or(false))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(b"keyhaven-timing-equaliser", &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)).await.unwrap());
        assert!(!verify_password("wrong horse battery", Some(&hash)).await.unwrap());
        assert!(!verify_password("correct horse battery", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_check_that_finds_no_free_turn_in_time_is_busy() {
        let turns = Turns { semaphore: Semaphore::new(1), wait: Duration::from_millis(50) };
        let held = turns.take().await.unwrap();
        assert!(matches!(turns.take().await, Err(ServiceError::Busy { retry_after_secs: 1 })));
        drop(held);
        assert!(turns.take().await.is_ok());
    }

    #[test]
    fn short_and_huge_passwords_are_refused_with_the_field_named() {
        let err = validate_new_password("short").unwrap_err();
        assert!(matches!(err, ServiceError::Invalid { field: "password", .. }));
        assert!(validate_new_password(&"x".repeat(2000)).is_err());
        assert!(validate_new_password("long enough password").is_ok());
    }
}
