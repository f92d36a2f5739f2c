//! Key rotations: one job per rotation of a managed key, and one row per connection it moves, with
//! the state that connection has reached. The job is resumed from these rows after a restart, so
//! they are written after every step on a host. No foreign keys: a report outlives the old key
//! (deleted when every connection has moved) and a connection deleted meanwhile.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KeyRotations {
    Table,
    Id,
    /// The key being replaced, and its name and fingerprint as they were (for the report).
    OldKeyId,
    OldKeyName,
    OldFingerprint,
    /// The successor; null for a dry run.
    NewKeyId,
    NewFingerprint,
    /// `running`, `attention` (some hosts failed or need a manual step), `finished`, `dry_run`.
    State,
    DryRun,
    StartedBy,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum RotationHosts {
    Table,
    Id,
    RotationId,
    ConnectionId,
    /// `user@host:port` when the rotation started.
    Label,
    /// `pending`, `staged`, `verified`, `switched`, `cleaned`, `failed`, `skipped`.
    State,
    /// The last state reached before a failure: where a retry resumes.
    Reached,
    /// Why it failed, or what a dry run would do.
    Detail,
    /// True when Keyhaven cannot edit this host (a password or a manual step is needed).
    Manual,
    UpdatedAt,
}

const INDEX: &str = "idx_rotation_hosts_rotation_connection";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KeyRotations::Table)
                    .col(ColumnDef::new(KeyRotations::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(KeyRotations::OldKeyId).integer().not_null())
                    .col(ColumnDef::new(KeyRotations::OldKeyName).string().not_null())
                    .col(ColumnDef::new(KeyRotations::OldFingerprint).string().not_null())
                    .col(ColumnDef::new(KeyRotations::NewKeyId).integer().null())
                    .col(ColumnDef::new(KeyRotations::NewFingerprint).string().null())
                    .col(ColumnDef::new(KeyRotations::State).string().not_null())
                    .col(ColumnDef::new(KeyRotations::DryRun).boolean().not_null())
                    .col(ColumnDef::new(KeyRotations::StartedBy).string().not_null())
                    .col(ColumnDef::new(KeyRotations::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(KeyRotations::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(KeyRotations::FinishedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RotationHosts::Table)
                    .col(ColumnDef::new(RotationHosts::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(RotationHosts::RotationId).integer().not_null())
                    .col(ColumnDef::new(RotationHosts::ConnectionId).integer().not_null())
                    .col(ColumnDef::new(RotationHosts::Label).string().not_null())
                    .col(ColumnDef::new(RotationHosts::State).string().not_null())
                    .col(ColumnDef::new(RotationHosts::Reached).string().not_null())
                    .col(ColumnDef::new(RotationHosts::Detail).text().null())
                    .col(ColumnDef::new(RotationHosts::Manual).boolean().not_null())
                    .col(ColumnDef::new(RotationHosts::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(RotationHosts::Table, RotationHosts::RotationId)
                            .to(KeyRotations::Table, KeyRotations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(RotationHosts::Table)
                    .col(RotationHosts::RotationId)
                    .col(RotationHosts::ConnectionId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RotationHosts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(KeyRotations::Table).to_owned()).await
    }
}
