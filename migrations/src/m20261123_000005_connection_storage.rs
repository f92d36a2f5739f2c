//! Remote storage usage, as last measured, on each connection. One `ALTER TABLE` per column:
//! SQLite allows only one change per statement.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    /// Bytes, as `df` reports them.
    StorageTotal,
    StorageUsed,
    StorageAvailable,
    StorageCheckedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [SshConnections::StorageTotal, SshConnections::StorageUsed, SshConnections::StorageAvailable] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SshConnections::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SshConnections::Table)
                    .add_column(ColumnDef::new(SshConnections::StorageCheckedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            SshConnections::StorageTotal,
            SshConnections::StorageUsed,
            SshConnections::StorageAvailable,
            SshConnections::StorageCheckedAt,
        ] {
            manager.alter_table(Table::alter().table(SshConnections::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
