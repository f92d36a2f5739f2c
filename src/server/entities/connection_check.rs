use sea_orm::entity::prelude::*;

/// One check of a connection: a manual Test, or (next) a scheduled check. Written only by the
/// connections domain.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connection_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub connection_id: i32,
    pub checked_at: DateTimeUtc,
    /// `manual` or `scheduled`.
    pub trigger: String,
    pub healthy: bool,
    /// `ok`, `restricted_ok`, or the classified failure (`dns`, `refused`, `timeout`, …).
    pub reason: String,
    /// The stage that failed, if one did.
    pub stage: Option<String>,
    pub message: Option<String>,
    pub duration_ms: i64,
    /// The stages as JSON: `[{name, status, message, millis}]`.
    pub stages: String,
    pub storage_used: Option<i64>,
    pub storage_total: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::ssh_connection::Entity",
        from = "Column::ConnectionId",
        to = "super::ssh_connection::Column::Id",
        on_delete = "Cascade"
    )]
    Connection,
}

impl Related<super::ssh_connection::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connection.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
