use sea_orm::entity::prelude::*;

/// When a connection is checked next (see the health domain). Written only by `health`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: i32,
    /// Overrides the global interval; 0 turns this connection's checks off.
    pub interval_secs: Option<i64>,
    pub next_check_at: DateTimeUtc,
    /// A check of this connection is running (or was, when the process stopped).
    pub running_since: Option<DateTimeUtc>,
    pub last_checked_at: Option<DateTimeUtc>,
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
