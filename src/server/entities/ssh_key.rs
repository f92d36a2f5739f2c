use sea_orm::entity::prelude::*;

/// A managed SSH key. The private key is only ever stored sealed (see `server::secrets`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ssh_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub description: String,
    pub key_type: String,
    pub bits: i32,
    pub public_key: String,
    #[sea_orm(unique)]
    pub fingerprint: String,
    pub private_key_enc: String,
    /// `Some(1)` for the system key; unique, so there is never a second.
    #[sea_orm(unique)]
    pub system_slot: Option<i32>,
    pub is_active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    /// Days between rotations (None: no period); the rotation is due that long after `created_at`
    /// (a rotation's successor is a new row, so its creation is the last rotation).
    pub rotation_period_days: Option<i32>,
    /// Start the rotation automatically when it is due.
    pub auto_rotate: bool,
    /// The rotation due date already announced on the alert channels (once per due date).
    pub rotation_warned_for: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::ssh_connection::Entity")]
    Connections,
}

impl Related<super::ssh_connection::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connections.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
