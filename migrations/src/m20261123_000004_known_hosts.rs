//! Trusted host keys. The database is the source of truth; `data/ssh/known_hosts` is derived.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KnownHosts {
    Table,
    Id,
    /// Lower-case DNS name or IP literal, as connections name the host.
    Host,
    Port,
    KeyType,
    /// `type base64`.
    PublicKey,
    Fingerprint,
    TrustedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KnownHosts::Table)
                    .col(ColumnDef::new(KnownHosts::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(KnownHosts::Host).string_len(255).not_null())
                    .col(ColumnDef::new(KnownHosts::Port).integer().not_null())
                    .col(ColumnDef::new(KnownHosts::KeyType).string_len(64).not_null())
                    .col(ColumnDef::new(KnownHosts::PublicKey).text().not_null())
                    .col(ColumnDef::new(KnownHosts::Fingerprint).string_len(100).not_null())
                    .col(ColumnDef::new(KnownHosts::TrustedBy).string_len(64).not_null())
                    .col(ColumnDef::new(KnownHosts::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_known_hosts_target_key")
                    .table(KnownHosts::Table)
                    .col(KnownHosts::Host)
                    .col(KnownHosts::Port)
                    .col(KnownHosts::Fingerprint)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnownHosts::Table).to_owned()).await
    }
}
