use sea_orm::entity::prelude::*;

/// One alert to one channel, and the queue of what is still to send: `pending` rows are sent
/// when `next_attempt_at` comes, then become `sent` or, after the last retry, `failed`. A test
/// alert has no event. Written only by `alerts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub channel_id: i32,
    pub event_id: Option<i32>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// The last attempt's result: `HTTP 204`, `250 OK`, or why it failed.
    pub detail: Option<String>,
    /// A notice that belongs to no connection (a key due for rotation) has no event: its kind
    /// and message are here.
    pub kind: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub message: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::alert_channel::Entity",
        from = "Column::ChannelId",
        to = "super::alert_channel::Column::Id",
        on_delete = "Cascade"
    )]
    Channel,
}

impl Related<super::alert_channel::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Channel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
