//! Data shapes shared by server functions, REST handlers and components.
//!
//! Everything here is serialisable and compiled into the browser bundle too, so nothing here may ever
//! hold a secret that the user has not just been handed (a new API token is shown exactly once).

mod connections;
mod hosts;
pub use connections::{
    ActionOutcome, ConnectionHealth, ConnectionPage, ConnectionView, ProgressView, StageView, StorageView,
    format_bytes, percent_text, percent_used,
};
pub use hosts::{HostKeyView, KnownHostPage, KnownHostView, ScanResult, ScanView};

use serde::{Deserialize, Serialize};
use std::fmt;

/// One page of a long list (connections, trusted host keys), with where it stands in the whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    /// 1-based.
    pub page: u64,
    pub pages: u64,
}

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
}

impl Scope {
    pub const ALL: [Scope; 5] =
        [Scope::ReadPublicKey, Scope::WritePublicKey, Scope::AdminPublicKey, Scope::Repo, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReadPublicKey => "read:public_key",
            Scope::WritePublicKey => "write:public_key",
            Scope::AdminPublicKey => "admin:public_key",
            Scope::Repo => "repo",
            Scope::Admin => "admin",
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

/// One audit log row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub result: String,
    pub detail: String,
}

/// A page of audit entries, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub page: u64,
    pub total_pages: u64,
}

/// Whether the first admin exists yet; drives the setup gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupStatus {
    pub admin_exists: bool,
    /// `admin`, `key`, `connection` or `done` (kept in the database).
    pub step: String,
    /// Whether the caller is a signed-in admin, who alone can continue the wizard.
    pub can_continue: bool,
}

/// A managed SSH key as pages and the API show it. There is no private key here, ever.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SshKeyView {
    pub id: i32,
    pub name: String,
    pub description: String,
    /// `ed25519`, `ecdsa` or `rsa`.
    pub key_type: String,
    pub bits: i32,
    /// The `.pub` line.
    pub public_key: String,
    /// The comment at the end of the `.pub` line (often `user@host`); may be empty.
    pub comment: String,
    /// `SHA256:…` as OpenSSH prints it.
    pub fingerprint: String,
    pub is_system_key: bool,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_used_at: Option<String>,
    pub connection_count: u64,
    pub active_connections: u64,
}

/// A connection that uses a key, listed before the key is deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyUser {
    pub connection_id: i32,
    pub target: String,
}

/// A key with what the SSH Keys page shows beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SshKeyDetail {
    pub key: SshKeyView,
    pub fingerprint_md5: String,
    /// The drunken-bishop picture, as `ssh-keygen -lv` draws it.
    pub randomart: String,
    pub used_by: Vec<KeyUser>,
}

/// A person's public key or a deploy key, as the pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicKeyView {
    pub id: i32,
    pub title: String,
    /// OpenSSH's name for the type, e.g. `ssh-ed25519`.
    pub key_type: String,
    pub bits: i32,
    /// `type base64`.
    pub key: String,
    pub comment: String,
    pub fingerprint: String,
    pub read_only: bool,
    pub created_at: String,
}

/// A backup repository. `can_manage`: the viewer may see and change its deploy keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryView {
    pub id: i32,
    pub owner: String,
    pub name: String,
    pub description: String,
    pub created_at: String,
    pub deploy_key_count: u64,
    pub can_manage: bool,
}

/// One repository with its deploy keys (empty when the viewer may not manage them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryDetail {
    pub repo: RepositoryView,
    pub deploy_keys: Vec<PublicKeyView>,
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
