use sea_orm::entity::prelude::*;

/// A read of every connection's `authorized_keys` as one resumable job (see the inventory domain,
/// which alone writes it). A connection is done once it has a read since `started_at`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `running` or `finished`.
    pub state: String,
    pub started_by: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// The run covers connections with ids up to this one (those that existed when it started).
    pub last_connection_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
