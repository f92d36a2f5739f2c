use sea_orm::entity::prelude::*;

/// Where alerts go: a webhook or an email list. `config` holds what may be shown (JSON); the
/// secrets (webhook URL and signing secret, SMTP password) are in `sealed`, an envelope of the
/// master key. Written only by `alerts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_channels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// `webhook` or `email`.
    pub kind: String,
    pub enabled: bool,
    pub config: String,
    pub sealed: Option<String>,
    /// 0 sends each alert at once; else alerts are gathered for this many minutes into one message.
    pub digest_minutes: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_delivery_at: Option<DateTimeUtc>,
    pub last_delivery_ok: Option<bool>,
    pub last_delivery_detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
