//! Accounts as the UI and the API see them: roles, token scopes, the signed-in user, users and
//! tokens (never a password or a token's hash).

use serde::{Deserialize, Serialize};
use std::fmt;

/// What an account may do. Admins change things; viewers only look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// OAuth-style scopes of an API token, named as GitHub names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
pub enum Scope {
    #[serde(rename = "read:public_key")]
    ReadPublicKey,
    #[serde(rename = "write:public_key")]
    WritePublicKey,
    #[serde(rename = "admin:public_key")]
    AdminPublicKey,
    #[serde(rename = "repo")]
    Repo,
    #[serde(rename = "admin")]
    Admin,
    /// Only `GET /metrics`: what a Prometheus server is given.
    #[serde(rename = "read:metrics")]
    ReadMetrics,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::ReadPublicKey,
        Scope::WritePublicKey,
        Scope::AdminPublicKey,
        Scope::Repo,
        Scope::Admin,
        Scope::ReadMetrics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReadPublicKey => "read:public_key",
            Scope::WritePublicKey => "write:public_key",
            Scope::AdminPublicKey => "admin:public_key",
            Scope::Repo => "repo",
            Scope::Admin => "admin",
            Scope::ReadMetrics => "read:metrics",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// Whether holding `self` grants `needed`: a parent scope implies its children
    /// (`admin:public_key` ⊃ `write:public_key` ⊃ `read:public_key`).
    pub fn implies(self, needed: Scope) -> bool {
        if self == needed {
            return true;
        }
        matches!(
            (self, needed),
            (Scope::AdminPublicKey, Scope::WritePublicKey)
                | (Scope::AdminPublicKey, Scope::ReadPublicKey)
                | (Scope::WritePublicKey, Scope::ReadPublicKey)
        )
    }

    /// One line of help shown next to the checkbox on the API tokens page.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::ReadPublicKey => "List your public keys",
            Scope::WritePublicKey => "Add public keys (implies read)",
            Scope::AdminPublicKey => "Delete public keys (implies write and read)",
            Scope::Repo => "Repositories and their deploy keys",
            Scope::Admin => "The Keyhaven management API (/api/…); writes still need the admin role",
            Scope::ReadMetrics => "Read /metrics (for a Prometheus server; nothing else)",
        }
    }
}

/// Whether any scope in `held` grants `needed`.
pub fn scopes_grant(held: &[Scope], needed: Scope) -> bool {
    held.iter().any(|h| h.implies(needed))
}

/// The signed-in user as the UI sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub id: i32,
    pub username: String,
    pub role: Role,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// An account as listed on the Users page and by `GET /api/users`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

/// A personal access token as listed (never the token itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i32,
    pub name: String,
    /// The first characters of the token, enough to recognise it in a list.
    pub token_prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked: bool,
    /// `personal` (made on the API tokens page or with `POST /api/tokens`) or `login` (from
    /// `POST /api/auth/login`, short-lived).
    pub kind: String,
}

/// The answer to creating a token: the only time the token text leaves the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenView,
    pub token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_scopes_imply_children_and_nothing_else() {
        assert!(Scope::AdminPublicKey.implies(Scope::ReadPublicKey));
        assert!(Scope::AdminPublicKey.implies(Scope::WritePublicKey));
        assert!(Scope::WritePublicKey.implies(Scope::ReadPublicKey));
        assert!(!Scope::ReadPublicKey.implies(Scope::WritePublicKey));
        assert!(!Scope::WritePublicKey.implies(Scope::AdminPublicKey));
        assert!(!Scope::Admin.implies(Scope::Repo));
        assert!(!Scope::Repo.implies(Scope::Admin));
    }

    #[test]
    fn scope_names_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
        assert_eq!(Scope::parse("write:org"), None);
    }
}
