//! Password login with failure limiting and auditing, shared by the login page and the API.

use super::users;
use crate::server::entities::user;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use crate::server::throttle::LoginThrottle;
use sea_orm::DatabaseConnection;

/// Checks credentials. The attempt is counted before the password is (so a parallel burst gets no
/// more checks than the limit); a refusal is audited once per window, each checked failure once.
pub async fn password_login(
    db: &DatabaseConnection,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
    client_addr: &str,
) -> Result<user::Model, ServiceError> {
    let shown_name: String = username.trim().chars().take(64).collect();
    let anonymous = Actor { id: None, name: shown_name.clone(), client_addr: client_addr.into() };
    let attempt = match throttle.reserve(&shown_name, client_addr) {
        Ok(attempt) => attempt,
        Err(refusal) => {
            if refusal.first_in_window {
                let event = Event { action: "login.throttled", target: &shown_name, success: false, detail: "" };
                audit::record(db, &anonymous, event).await?;
            }
            return Err(ServiceError::RateLimited { retry_after_secs: refusal.retry_after_secs });
        }
    };
    match users::authenticate(db, username, password).await {
        Ok(user) => {
            attempt.succeeded();
            let actor = Actor { id: Some(user.id), name: user.username.clone(), client_addr: client_addr.into() };
            audit::record(db, &actor, Event { action: "login", target: &user.username, success: true, detail: "" })
                .await?;
            Ok(user)
        }
        Err(busy @ ServiceError::Busy { .. }) => {
            attempt.refund();
            Err(busy)
        }
        Err(err) => {
            drop(attempt);
            let event = Event { action: "login.failed", target: &shown_name, success: false, detail: "" };
            audit::record(db, &anonymous, event).await?;
            Err(err)
        }
    }
}
