use sea_orm::entity::prelude::*;

/// An operator's note on a key the inventory found (see the inventory domain, which alone writes
/// it): the key is then "noted" rather than "unknown" on every host.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_notes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub fingerprint: String,
    pub note: String,
    pub noted_by: String,
    pub noted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
