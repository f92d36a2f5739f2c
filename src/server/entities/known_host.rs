use sea_orm::entity::prelude::*;

/// A host key a person confirmed for `host:port`. `(host, port, fingerprint)` is unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "known_hosts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub host: String,
    pub port: i32,
    pub key_type: String,
    /// `type base64`.
    pub public_key: String,
    pub fingerprint: String,
    pub trusted_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
