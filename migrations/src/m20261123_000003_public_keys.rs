//! People's public keys and repositories with deploy keys (the GitHub-shaped keys API).
//!
//! User keys and deploy keys share one table so that a single unique index makes a fingerprint
//! unique across both, as GitHub requires, even under concurrent requests.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
    OwnerId,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PublicKeys {
    Table,
    Id,
    /// Set for a user's own key; NULL for a deploy key.
    UserId,
    /// Set for a deploy key; NULL for a user's key.
    RepositoryId,
    Title,
    KeyType,
    Bits,
    /// Normalised `type base64`, without the comment.
    Key,
    Comment,
    Fingerprint,
    ReadOnly,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Repositories::Table)
                    .col(ColumnDef::new(Repositories::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Repositories::OwnerId).integer().not_null())
                    .col(ColumnDef::new(Repositories::Name).string_len(100).not_null())
                    .col(ColumnDef::new(Repositories::Description).string_len(500).not_null().default(""))
                    .col(ColumnDef::new(Repositories::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Repositories::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_repositories_owner")
                            .from(Repositories::Table, Repositories::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_repositories_owner_name")
                    .table(Repositories::Table)
                    .col(Repositories::OwnerId)
                    .col(Repositories::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PublicKeys::Table)
                    .col(ColumnDef::new(PublicKeys::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PublicKeys::UserId).integer().null())
                    .col(ColumnDef::new(PublicKeys::RepositoryId).integer().null())
                    .col(ColumnDef::new(PublicKeys::Title).string_len(255).not_null())
                    .col(ColumnDef::new(PublicKeys::KeyType).string_len(64).not_null())
                    .col(ColumnDef::new(PublicKeys::Bits).integer().not_null())
                    .col(ColumnDef::new(PublicKeys::Key).text().not_null())
                    .col(ColumnDef::new(PublicKeys::Comment).string_len(1024).not_null().default(""))
                    .col(ColumnDef::new(PublicKeys::Fingerprint).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(PublicKeys::ReadOnly).boolean().not_null().default(false))
                    .col(ColumnDef::new(PublicKeys::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_public_keys_user")
                            .from(PublicKeys::Table, PublicKeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_public_keys_repository")
                            .from(PublicKeys::Table, PublicKeys::RepositoryId)
                            .to(Repositories::Table, Repositories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in
            [("idx_public_keys_user", PublicKeys::UserId), ("idx_public_keys_repository", PublicKeys::RepositoryId)]
        {
            manager.create_index(Index::create().name(name).table(PublicKeys::Table).col(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PublicKeys::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Repositories::Table).to_owned()).await
    }
}
