use sea_orm::entity::prelude::*;

/// One rotation of a managed key (see the rotation domain, which alone writes it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "key_rotations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub old_key_id: i32,
    pub old_key_name: String,
    pub old_fingerprint: String,
    pub new_key_id: Option<i32>,
    pub new_fingerprint: Option<String>,
    /// `running`, `attention`, `finished` or `dry_run`.
    pub state: String,
    pub dry_run: bool,
    pub started_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::rotation_host::Entity")]
    Hosts,
}

impl Related<super::rotation_host::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Hosts.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
