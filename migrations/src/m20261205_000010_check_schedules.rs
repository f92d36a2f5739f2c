//! When each connection is checked next, kept in the database so the schedule survives restarts:
//! `interval_secs` overrides the global interval (0: never), `running_since` marks a check in
//! progress (a restart finds it and runs that check again, once). One row per connection, deleted
//! with it; written only by the health domain.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CheckSchedules {
    Table,
    ConnectionId,
    IntervalSecs,
    NextCheckAt,
    RunningSince,
    LastCheckedAt,
}

const INDEX: &str = "idx_check_schedules_next_check_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CheckSchedules::Table)
                    .col(ColumnDef::new(CheckSchedules::ConnectionId).integer().not_null().primary_key())
                    .col(ColumnDef::new(CheckSchedules::IntervalSecs).big_integer().null())
                    .col(ColumnDef::new(CheckSchedules::NextCheckAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(CheckSchedules::RunningSince).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(CheckSchedules::LastCheckedAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckSchedules::Table, CheckSchedules::ConnectionId)
                            .to(SshConnections::Table, SshConnections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name(INDEX).table(CheckSchedules::Table).col(CheckSchedules::NextCheckAt).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CheckSchedules::Table).to_owned()).await
    }
}
