//! `use_sudo` on each connection: Borg UI's clients send it (run borg on the remote with sudo) and
//! read it back; Keyhaven stores it for them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    UseSudo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SshConnections::Table)
                    .add_column(ColumnDef::new(SshConnections::UseSudo).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(SshConnections::Table).drop_column(SshConnections::UseSudo).to_owned())
            .await
    }
}
