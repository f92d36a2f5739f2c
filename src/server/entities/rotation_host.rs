use sea_orm::entity::prelude::*;

/// One connection moved by a key rotation, with the state it has reached (written after every
/// step, so a restart resumes there). Written only by the rotation domain.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rotation_hosts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub rotation_id: i32,
    pub connection_id: i32,
    pub label: String,
    /// `pending`, `staged`, `verified`, `switched`, `cleaned`, `failed` or `skipped`.
    pub state: String,
    /// The last state reached before a failure; where a retry resumes.
    pub reached: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
    pub manual: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::key_rotation::Entity",
        from = "Column::RotationId",
        to = "super::key_rotation::Column::Id",
        on_delete = "Cascade"
    )]
    Rotation,
}

impl Related<super::key_rotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Rotation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
