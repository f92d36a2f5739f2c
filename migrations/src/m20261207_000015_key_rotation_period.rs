//! A managed key may carry a rotation period: the Dashboard warns 14 days before it is due, and
//! with `auto_rotate` Keyhaven starts the rotation itself when it is due.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshKeys {
    Table,
    /// Days between rotations; null: no period.
    RotationPeriodDays,
    AutoRotate,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(SshKeys::Table)
                    .add_column(ColumnDef::new(SshKeys::RotationPeriodDays).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SshKeys::Table)
                    .add_column(ColumnDef::new(SshKeys::AutoRotate).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [SshKeys::AutoRotate, SshKeys::RotationPeriodDays] {
            manager.alter_table(Table::alter().table(SshKeys::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
