use sea_orm::entity::prelude::*;

/// One alert: a connection changed state (failing, recovered, host key changed, storage level,
/// full soon). Written only by `health`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub connection_id: i32,
    /// `failing`, `recovered`, `host_key_changed`, `storage_75`, `storage_90` or `full_soon`.
    pub kind: String,
    /// The check's reason (`refused`, `auth_rejected`, …; `ok` for a recovery).
    pub reason: String,
    pub message: String,
    pub created_at: DateTimeUtc,
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
