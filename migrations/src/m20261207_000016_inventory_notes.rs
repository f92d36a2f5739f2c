//! Notes on keys the inventory found: an operator who knows whose an unknown key is, but does not
//! want it imported as a person's key, notes it ("Hetzner's rescue key", "bob's old laptop, to go
//! by March"). Keyed by fingerprint, so the note follows the key to every host; written only by
//! the inventory domain.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InventoryNotes {
    Table,
    Id,
    /// `SHA256:…` of the key noted.
    Fingerprint,
    Note,
    NotedBy,
    NotedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InventoryNotes::Table)
                    .col(ColumnDef::new(InventoryNotes::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(InventoryNotes::Fingerprint).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(InventoryNotes::Note).string_len(500).not_null())
                    .col(ColumnDef::new(InventoryNotes::NotedBy).string_len(64).not_null())
                    .col(ColumnDef::new(InventoryNotes::NotedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InventoryNotes::Table).to_owned()).await
    }
}
