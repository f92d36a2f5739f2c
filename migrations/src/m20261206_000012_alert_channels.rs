//! Where alerts go: channels (a webhook or an email address list; their secrets — the webhook's
//! URL and signing secret, the SMTP password — sealed with the master key in `sealed`, never in
//! clear), and one delivery per alert and channel, which is the queue: pending rows are sent,
//! retried with backoff and finally marked sent or failed, so a restart loses none. Written only
//! by the alerts domain.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertEvents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AlertChannels {
    Table,
    Id,
    Name,
    Kind,
    Enabled,
    Config,
    Sealed,
    DigestMinutes,
    CreatedAt,
    UpdatedAt,
    LastDeliveryAt,
    LastDeliveryOk,
    LastDeliveryDetail,
}

#[derive(DeriveIden)]
enum AlertDeliveries {
    Table,
    Id,
    ChannelId,
    EventId,
    Status,
    Attempts,
    NextAttemptAt,
    CreatedAt,
    FinishedAt,
    Detail,
}

const DUE: &str = "idx_alert_deliveries_due";
const BY_CHANNEL: &str = "idx_alert_deliveries_channel";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AlertChannels::Table)
                    .col(ColumnDef::new(AlertChannels::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AlertChannels::Name).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(AlertChannels::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(AlertChannels::Enabled).boolean().not_null())
                    .col(ColumnDef::new(AlertChannels::Config).text().not_null())
                    .col(ColumnDef::new(AlertChannels::Sealed).text().null())
                    .col(ColumnDef::new(AlertChannels::DigestMinutes).integer().not_null())
                    .col(ColumnDef::new(AlertChannels::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AlertChannels::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AlertChannels::LastDeliveryAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(AlertChannels::LastDeliveryOk).boolean().null())
                    .col(ColumnDef::new(AlertChannels::LastDeliveryDetail).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AlertDeliveries::Table)
                    .col(ColumnDef::new(AlertDeliveries::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AlertDeliveries::ChannelId).integer().not_null())
                    .col(ColumnDef::new(AlertDeliveries::EventId).integer().null())
                    .col(ColumnDef::new(AlertDeliveries::Status).string_len(16).not_null())
                    .col(ColumnDef::new(AlertDeliveries::Attempts).integer().not_null())
                    .col(ColumnDef::new(AlertDeliveries::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AlertDeliveries::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AlertDeliveries::FinishedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(AlertDeliveries::Detail).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDeliveries::Table, AlertDeliveries::ChannelId)
                            .to(AlertChannels::Table, AlertChannels::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDeliveries::Table, AlertDeliveries::EventId)
                            .to(AlertEvents::Table, AlertEvents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DUE)
                    .table(AlertDeliveries::Table)
                    .col(AlertDeliveries::Status)
                    .col(AlertDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_CHANNEL)
                    .table(AlertDeliveries::Table)
                    .col(AlertDeliveries::ChannelId)
                    .col(AlertDeliveries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AlertDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AlertChannels::Table).to_owned()).await
    }
}
