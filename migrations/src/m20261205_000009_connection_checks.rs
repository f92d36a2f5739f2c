//! One row per check of a connection (a manual Test today, scheduled checks next): when, why it
//! failed or passed, which stage stopped it and how long it took. The history of a connection is
//! read newest first, so the index is on `(connection_id, checked_at)`; deleting a connection
//! deletes its history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConnectionChecks {
    Table,
    Id,
    ConnectionId,
    CheckedAt,
    /// `manual` or `scheduled`.
    Trigger,
    Healthy,
    /// The classified reason: `ok`, `restricted_ok`, `dns`, `refused`, `timeout`, …
    Reason,
    /// The stage that failed, when one did.
    Stage,
    Message,
    DurationMs,
    /// The stages as JSON (name, status, message, millis).
    Stages,
    StorageUsed,
    StorageTotal,
}

const INDEX: &str = "idx_connection_checks_connection_checked_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConnectionChecks::Table)
                    .col(ColumnDef::new(ConnectionChecks::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ConnectionChecks::ConnectionId).integer().not_null())
                    .col(ColumnDef::new(ConnectionChecks::CheckedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ConnectionChecks::Trigger).string_len(16).not_null())
                    .col(ColumnDef::new(ConnectionChecks::Healthy).boolean().not_null())
                    .col(ColumnDef::new(ConnectionChecks::Reason).string_len(32).not_null())
                    .col(ColumnDef::new(ConnectionChecks::Stage).string_len(32).null())
                    .col(ColumnDef::new(ConnectionChecks::Message).text().null())
                    .col(ColumnDef::new(ConnectionChecks::DurationMs).big_integer().not_null())
                    .col(ColumnDef::new(ConnectionChecks::Stages).text().not_null())
                    .col(ColumnDef::new(ConnectionChecks::StorageUsed).big_integer().null())
                    .col(ColumnDef::new(ConnectionChecks::StorageTotal).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConnectionChecks::Table, ConnectionChecks::ConnectionId)
                            .to(SshConnections::Table, SshConnections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(ConnectionChecks::Table)
                    .col(ConnectionChecks::ConnectionId)
                    .col(ConnectionChecks::CheckedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ConnectionChecks::Table).to_owned()).await
    }
}
