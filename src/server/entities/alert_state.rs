use sea_orm::entity::prelude::*;

/// What the alert rules remember of a connection (see the health domain's `alerts`); no row is
/// the fresh state. Written only by `health`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_states")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: i32,
    /// A "failing" (or "host key changed") alert was raised and no "recovered" yet.
    pub failing: bool,
    pub consecutive_failures: i32,
    /// A "host key changed" alert was raised for this outage.
    pub host_key_changed: bool,
    /// The storage level already reported: 0, 75 or 90 (percent used).
    pub storage_level: i32,
    /// "Full within 14 days" was reported and the forecast has not eased since.
    pub forecast_warned: bool,
    /// When the state last changed (a check that changes nothing writes nothing).
    pub updated_at: DateTimeUtc,
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
