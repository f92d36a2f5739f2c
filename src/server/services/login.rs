//! Password login with failure limiting and auditing, shared by the login page and the API.

use super::audit::{self, Actor, Event};
use super::users;
use crate::server::entities::user;
use crate::server::error::ServiceError;
use crate::server::throttle::LoginThrottle;
use sea_orm::DatabaseConnection;

/// Checks credentials, refusing early while the account or address is locked out. Every failure is
/// audited (without the password) and counted.
pub async fn password_login(
    db: &DatabaseConnection,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
    client_addr: &str,
) -> Result<user::Model, ServiceError> {
    let shown_name: String = username.trim().chars().take(64).collect();
    if let Err(retry_after_secs) = throttle.check(&shown_name, client_addr) {
        let actor = Actor { id: None, name: shown_name.clone(), client_addr: client_addr.into() };
        audit::record(db, &actor, Event { action: "login.throttled", target: &shown_name, success: false, detail: "" })
            .await?;
        return Err(ServiceError::RateLimited { retry_after_secs });
    }
    match users::authenticate(db, username, password).await {
        Ok(user) => {
            throttle.record_success(&shown_name);
            let actor = Actor { id: Some(user.id), name: user.username.clone(), client_addr: client_addr.into() };
            audit::record(db, &actor, Event { action: "login", target: &user.username, success: true, detail: "" })
                .await?;
            Ok(user)
        }
        Err(err) => {
            throttle.record_failure(&shown_name, client_addr);
            let actor = Actor { id: None, name: shown_name.clone(), client_addr: client_addr.into() };
            audit::record(
                db,
                &actor,
                Event { action: "login.failed", target: &shown_name, success: false, detail: "" },
            )
            .await?;
            Err(err)
        }
    }
}
