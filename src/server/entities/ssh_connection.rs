use sea_orm::entity::prelude::*;

/// A remote host Keyhaven logs in to. `ssh_key_id` is NULL when its key was deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ssh_connections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ssh_key_id: Option<i32>,
    pub host: String,
    pub username: String,
    pub port: i32,
    pub use_sftp_mode: bool,
    /// Borg UI's "run borg with sudo on the remote"; stored and returned for its clients.
    pub use_sudo: bool,
    pub default_path: Option<String>,
    pub ssh_path_prefix: Option<String>,
    pub mount_point: Option<String>,
    /// `unknown`, `testing`, `connected` or `failed`.
    pub status: String,
    pub last_test: Option<DateTimeUtc>,
    pub last_success: Option<DateTimeUtc>,
    pub error_message: Option<String>,
    /// Storage usage in bytes at `storage_checked_at` (None until first measured).
    pub storage_total: Option<i64>,
    pub storage_used: Option<i64>,
    pub storage_available: Option<i64>,
    pub storage_checked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::ssh_key::Entity",
        from = "Column::SshKeyId",
        to = "super::ssh_key::Column::Id",
        on_delete = "SetNull"
    )]
    SshKey,
}

impl Related<super::ssh_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SshKey.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
