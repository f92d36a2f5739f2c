//! Managed SSH keys, and the connections that use them (filled in by the connections feature; the
//! table exists now so key deletion can mark the connections it affects).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SshKeys {
    Table,
    Id,
    Name,
    Description,
    KeyType,
    Bits,
    PublicKey,
    Fingerprint,
    PrivateKeyEnc,
    /// 1 for the system key, NULL for named keys: a unique index makes "one system key" a fact
    /// the database enforces, even under concurrent requests.
    SystemSlot,
    IsActive,
    CreatedAt,
    UpdatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum SshConnections {
    Table,
    Id,
    SshKeyId,
    Host,
    Username,
    Port,
    UseSftpMode,
    DefaultPath,
    SshPathPrefix,
    MountPoint,
    Status,
    LastTest,
    LastSuccess,
    ErrorMessage,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SshKeys::Table)
                    .col(ColumnDef::new(SshKeys::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(SshKeys::Name).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(SshKeys::Description).string_len(500).not_null().default(""))
                    .col(ColumnDef::new(SshKeys::KeyType).string_len(16).not_null())
                    .col(ColumnDef::new(SshKeys::Bits).integer().not_null())
                    .col(ColumnDef::new(SshKeys::PublicKey).text().not_null())
                    .col(ColumnDef::new(SshKeys::Fingerprint).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(SshKeys::PrivateKeyEnc).text().not_null())
                    .col(ColumnDef::new(SshKeys::SystemSlot).integer().null().unique_key())
                    .col(ColumnDef::new(SshKeys::IsActive).boolean().not_null().default(true))
                    .col(ColumnDef::new(SshKeys::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(SshKeys::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(SshKeys::LastUsedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SshConnections::Table)
                    .col(ColumnDef::new(SshConnections::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(SshConnections::SshKeyId).integer().null())
                    .col(ColumnDef::new(SshConnections::Host).string_len(255).not_null())
                    .col(ColumnDef::new(SshConnections::Username).string_len(64).not_null())
                    .col(ColumnDef::new(SshConnections::Port).integer().not_null())
                    .col(ColumnDef::new(SshConnections::UseSftpMode).boolean().not_null().default(false))
                    .col(ColumnDef::new(SshConnections::DefaultPath).string_len(1024).null())
                    .col(ColumnDef::new(SshConnections::SshPathPrefix).string_len(1024).null())
                    .col(ColumnDef::new(SshConnections::MountPoint).string_len(1024).null())
                    .col(ColumnDef::new(SshConnections::Status).string_len(16).not_null().default("unknown"))
                    .col(ColumnDef::new(SshConnections::LastTest).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(SshConnections::LastSuccess).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(SshConnections::ErrorMessage).text().null())
                    .col(ColumnDef::new(SshConnections::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(SshConnections::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_connections_ssh_key")
                            .from(SshConnections::Table, SshConnections::SshKeyId)
                            .to(SshKeys::Table, SshKeys::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_connections_ssh_key")
                    .table(SshConnections::Table)
                    .col(SshConnections::SshKeyId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SshConnections::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SshKeys::Table).to_owned()).await
    }
}
