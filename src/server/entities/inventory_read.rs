use sea_orm::entity::prelude::*;

/// One read of a connection's `authorized_keys` (see the inventory domain). Written only by
/// `inventory`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_reads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub connection_id: i32,
    pub read_at: DateTimeUtc,
    /// The file as text; None when it is missing or could not be read.
    #[sea_orm(column_type = "Text", nullable)]
    pub content: Option<String>,
    pub file_exists: bool,
    /// Why the file could not be read.
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
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
