//! Alerts: per connection, the state the alert rules last saw (failing or not, consecutive
//! failures, the storage level already reported, whether a "full soon" was already sent), and
//! the alerts themselves — one per change of state, never one per check. Written only by the
//! health domain; both go with their connection.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AlertStates {
    Table,
    ConnectionId,
    Failing,
    ConsecutiveFailures,
    HostKeyChanged,
    StorageLevel,
    ForecastWarned,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AlertEvents {
    Table,
    Id,
    ConnectionId,
    Kind,
    Reason,
    Message,
    CreatedAt,
}

const INDEX: &str = "idx_alert_events_created_at";

fn connection_key(table: impl IntoIden + 'static, column: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(SshConnections::Table, SshConnections::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AlertStates::Table)
                    .col(ColumnDef::new(AlertStates::ConnectionId).integer().not_null().primary_key())
                    .col(ColumnDef::new(AlertStates::Failing).boolean().not_null())
                    .col(ColumnDef::new(AlertStates::ConsecutiveFailures).integer().not_null())
                    .col(ColumnDef::new(AlertStates::HostKeyChanged).boolean().not_null())
                    .col(ColumnDef::new(AlertStates::StorageLevel).integer().not_null())
                    .col(ColumnDef::new(AlertStates::ForecastWarned).boolean().not_null())
                    .col(ColumnDef::new(AlertStates::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut connection_key(AlertStates::Table, AlertStates::ConnectionId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AlertEvents::Table)
                    .col(ColumnDef::new(AlertEvents::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AlertEvents::ConnectionId).integer().not_null())
                    .col(ColumnDef::new(AlertEvents::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(AlertEvents::Reason).string_len(64).not_null())
                    .col(ColumnDef::new(AlertEvents::Message).text().not_null())
                    .col(ColumnDef::new(AlertEvents::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut connection_key(AlertEvents::Table, AlertEvents::ConnectionId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name(INDEX).table(AlertEvents::Table).col(AlertEvents::CreatedAt).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AlertEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AlertStates::Table).to_owned()).await
    }
}
