//! A read of every connection's `authorized_keys` as one job ("Read every connection" on Key
//! inventory): which connections it covers (those that existed when it started: ids up to
//! `last_connection_id`), since when (a connection is done once it has a read since `started_at`),
//! and whether it is still running — so a stop in the middle resumes with the connections not yet
//! read. Written only by the inventory domain.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InventoryRuns {
    Table,
    Id,
    /// `running` or `finished`.
    State,
    StartedBy,
    StartedAt,
    FinishedAt,
    LastConnectionId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InventoryRuns::Table)
                    .col(ColumnDef::new(InventoryRuns::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(InventoryRuns::State).string_len(16).not_null())
                    .col(ColumnDef::new(InventoryRuns::StartedBy).string_len(64).not_null())
                    .col(ColumnDef::new(InventoryRuns::StartedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(InventoryRuns::FinishedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(InventoryRuns::LastConnectionId).integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InventoryRuns::Table).to_owned()).await
    }
}
