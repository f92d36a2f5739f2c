//! What each connection's `~/.ssh/authorized_keys` held when the inventory last read it: the file
//! as read (public keys and their options only — nothing secret), or why it could not be read.
//! Kept per read, so drift (a line added or removed since the read before) can be told; written
//! only by the inventory domain, deleted with the connection.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InventoryReads {
    Table,
    Id,
    ConnectionId,
    ReadAt,
    /// The file's bytes as text (lossy UTF-8); null when it was missing or could not be read.
    Content,
    /// False when the account has no `authorized_keys` at all.
    FileExists,
    /// Why the file could not be read; null when it was read (or is missing).
    Error,
}

const INDEX: &str = "idx_inventory_reads_connection_read_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InventoryReads::Table)
                    .col(ColumnDef::new(InventoryReads::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(InventoryReads::ConnectionId).integer().not_null())
                    .col(ColumnDef::new(InventoryReads::ReadAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(InventoryReads::Content).text().null())
                    .col(ColumnDef::new(InventoryReads::FileExists).boolean().not_null())
                    .col(ColumnDef::new(InventoryReads::Error).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryReads::Table, InventoryReads::ConnectionId)
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
                    .table(InventoryReads::Table)
                    .col(InventoryReads::ConnectionId)
                    .col(InventoryReads::ReadAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InventoryReads::Table).to_owned()).await
    }
}
