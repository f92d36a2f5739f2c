use sea_orm::entity::prelude::*;

/// A person's public key (`user_id` set) or a repository's deploy key (`repository_id` set).
/// One table, so the unique fingerprint holds across both kinds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "public_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub repository_id: Option<i32>,
    pub title: String,
    /// The OpenSSH algorithm name, e.g. `ssh-ed25519`.
    pub key_type: String,
    pub bits: i32,
    /// Normalised `type base64`, without the comment.
    pub key: String,
    pub comment: String,
    #[sea_orm(unique)]
    pub fingerprint: String,
    pub read_only: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
