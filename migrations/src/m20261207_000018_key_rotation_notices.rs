//! A key due for rotation is announced on the alert channels 14 days ahead, once per due date: an
//! alert delivery that belongs to no connection carries its own kind and message (until now only
//! a test message had no alert event), and each key remembers the due date it was announced for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertDeliveries {
    Table,
    /// The kind of a notice that has no alert event (`rotation_due`); null otherwise.
    Kind,
    /// Its message.
    Message,
}

#[derive(DeriveIden)]
enum SshKeys {
    Table,
    /// The rotation due date already announced on the alert channels.
    RotationWarnedFor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(AlertDeliveries::Table)
                    .add_column(ColumnDef::new(AlertDeliveries::Kind).string_len(32).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AlertDeliveries::Table)
                    .add_column(ColumnDef::new(AlertDeliveries::Message).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SshKeys::Table)
                    .add_column(ColumnDef::new(SshKeys::RotationWarnedFor).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(SshKeys::Table).drop_column(SshKeys::RotationWarnedFor).to_owned())
            .await?;
        for column in [AlertDeliveries::Message, AlertDeliveries::Kind] {
            manager.alter_table(Table::alter().table(AlertDeliveries::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
