//! The rule of one entry point and the one function that applies it.

use crate::error::AppError;
use crate::model::{Role, Scope, scopes_grant};
use crate::server::auth::{Authed, Credential};

/// Who may call an entry point, by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// No sign-in needed (login, first-run setup, public keys by username).
    Anyone,
    /// Any signed-in user: viewers and admins.
    SignedIn,
    /// Admins only.
    Admin,
}

/// Whether, and with which scope, a bearer token may call an entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tokens {
    /// The entry point asks nobody for credentials.
    NotNeeded,
    /// A token must hold this scope (or one that implies it).
    Scope(Scope),
    /// Any valid token, whatever its scopes (only "who am I").
    AnyScope,
    /// Browser only: server functions and form posts. A token is answered 403 with a pointer to the
    /// REST API, so that a narrow token cannot reach its owner's full role through them.
    Refused,
}

/// The rule of one entry point: a role and, for tokens, a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub who: Who,
    pub tokens: Tokens,
    /// The entry point makes Keyhaven connect to a host (scan, test, deploy, storage): each call
    /// counts against the caller's SSH action allowance.
    pub ssh: bool,
}

impl Access {
    /// Open to everyone, signed in or not.
    pub const ANYONE: Access = Access { who: Who::Anyone, tokens: Tokens::NotNeeded, ssh: false };
    /// A browser page's server function for anyone (sign-in, first-run setup); tokens refused.
    pub const BROWSER_ANYONE: Access = Access { who: Who::Anyone, tokens: Tokens::Refused, ssh: false };
    /// A browser page's server function or form, for any signed-in user.
    pub const BROWSER_SIGNED_IN: Access = Access { who: Who::SignedIn, tokens: Tokens::Refused, ssh: false };
    /// A browser page's server function or form, for admins.
    pub const BROWSER_ADMIN: Access = Access { who: Who::Admin, tokens: Tokens::Refused, ssh: false };
    /// A browser page's server function that connects to a host, for admins.
    pub const BROWSER_ADMIN_SSH: Access = Access::BROWSER_ADMIN.connects();

    /// A REST route any signed-in user may call; a token needs `scope`.
    pub const fn signed_in(scope: Scope) -> Access {
        Access { who: Who::SignedIn, tokens: Tokens::Scope(scope), ssh: false }
    }

    /// A REST route for any signed-in user that any token may call, whatever its scopes.
    pub const SIGNED_IN_ANY_SCOPE: Access = Access { who: Who::SignedIn, tokens: Tokens::AnyScope, ssh: false };

    /// A REST route for admins; a token needs `scope` too.
    pub const fn admin(scope: Scope) -> Access {
        Access { who: Who::Admin, tokens: Tokens::Scope(scope), ssh: false }
    }

    /// The same rule for an entry point that connects to a host (rate-limited per user).
    pub const fn connects(self) -> Access {
        Access { ssh: true, ..self }
    }

    /// The role column of the authorization table.
    pub fn role_label(&self) -> &'static str {
        match self.who {
            Who::Anyone => "anyone",
            Who::SignedIn => "signed in",
            Who::Admin => "admin",
        }
    }

    /// The limits column of the authorization table.
    pub fn limit_label(&self) -> &'static str {
        if self.ssh { "SSH action (per-user allowance)" } else { "" }
    }

    /// The token column of the authorization table.
    pub fn token_label(&self) -> String {
        match self.tokens {
            Tokens::NotNeeded => "not needed".into(),
            Tokens::Scope(scope) => format!("scope `{}`", scope.as_str()),
            Tokens::AnyScope => "any scope".into(),
            Tokens::Refused => "refused (browser only)".into(),
        }
    }
}

/// Why a token is refused by a browser-only entry point.
pub const TOKEN_REFUSED: &str = "API tokens are not accepted here: this is the browser's interface. \
     Use the REST API under /api/ (or the GitHub-shaped /user/keys and /repos/…) with this token.";

/// The one authorization check: may `caller` use an entry point with rule `access`?
///
/// 401 when a sign-in is needed and missing, 403 when the role or the token's scope falls short or a
/// token reaches a browser-only entry point.
pub fn authorize(access: Access, caller: Option<&Authed>) -> Result<(), AppError> {
    if let Some(Authed { credential: Credential::Token(grant), .. }) = caller {
        let held = &grant.scopes;
        match access.tokens {
            Tokens::Refused => {
                return Err(AppError::Forbidden { message: TOKEN_REFUSED.into(), needed_scopes: None });
            }
            Tokens::Scope(needed) if !scopes_grant(held, needed) => {
                return Err(AppError::Forbidden {
                    message: format!("This token lacks the '{}' scope.", needed.as_str()),
                    needed_scopes: Some(needed.as_str().to_string()),
                });
            }
            _ => {}
        }
    }
    match (access.who, caller) {
        (Who::Anyone, _) => Ok(()),
        (_, None) => Err(AppError::unauthenticated()),
        (Who::SignedIn, Some(_)) => Ok(()),
        (Who::Admin, Some(caller)) if caller.role == Role::Admin => Ok(()),
        (Who::Admin, Some(_)) => {
            Err(AppError::forbidden("This action needs the admin role; your account is a viewer."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::entities::user;

    fn token(scopes: Vec<Scope>) -> Credential {
        Credential::Token(crate::server::services::accounts::TokenGrant { id: 1, scopes, expires_at: None })
    }

    fn caller(role: Role, credential: Credential) -> Authed {
        let user = user::Model {
            id: 1,
            username: "u".into(),
            password_hash: String::new(),
            role: role.as_str().into(),
            is_active: true,
            auth_version: 1,
            created_at: chrono::Utc::now(),
            last_login_at: None,
        };
        Authed { user, role, credential, client_addr: "127.0.0.1".into() }
    }

    fn status(access: Access, caller: Option<&Authed>) -> u16 {
        authorize(access, caller).map(|()| 200).unwrap_or_else(|e| e.status_code())
    }

    #[test]
    fn roles_and_sign_in() {
        let viewer = caller(Role::Viewer, Credential::Session);
        let admin = caller(Role::Admin, Credential::Session);
        assert_eq!(status(Access::ANYONE, None), 200);
        assert_eq!(status(Access::BROWSER_SIGNED_IN, None), 401);
        assert_eq!(status(Access::BROWSER_SIGNED_IN, Some(&viewer)), 200);
        assert_eq!(status(Access::BROWSER_ADMIN, Some(&viewer)), 403);
        assert_eq!(status(Access::BROWSER_ADMIN, Some(&admin)), 200);
    }

    #[test]
    fn a_token_is_held_to_its_scope_and_kept_out_of_browser_entry_points() {
        let narrow = caller(Role::Admin, token(vec![Scope::ReadPublicKey]));
        let wide = caller(Role::Admin, token(vec![Scope::Admin]));
        assert_eq!(status(Access::BROWSER_ADMIN, Some(&narrow)), 403);
        assert_eq!(status(Access::BROWSER_ADMIN, Some(&wide)), 403, "even an admin-scoped token");
        assert_eq!(status(Access::BROWSER_ANYONE, Some(&wide)), 403);
        assert_eq!(status(Access::admin(Scope::Admin), Some(&narrow)), 403);
        assert_eq!(status(Access::admin(Scope::Admin), Some(&wide)), 200);
        assert_eq!(status(Access::signed_in(Scope::ReadPublicKey), Some(&narrow)), 200);
        let viewer_token = caller(Role::Viewer, token(vec![Scope::Admin]));
        assert_eq!(status(Access::admin(Scope::Admin), Some(&viewer_token)), 403, "scope never lifts the role");
        assert_eq!(status(Access::ANYONE, Some(&narrow)), 200);
    }
}
