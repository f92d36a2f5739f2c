//! Repository names are unique per owner regardless of case, as on GitHub (`Vault` and `vault` are
//! one repository, and clients may write either). Names that already differ only by case keep the
//! oldest as it is; a later one gets `-<id>` appended, so no repository or deploy key is lost.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, TryGetable};
use std::collections::HashSet;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
    OwnerId,
    Name,
}

const INDEX: &str = "idx_repositories_owner_lower_name";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let builder = db.get_database_backend();
        let select = Query::select()
            .columns([Repositories::Id, Repositories::OwnerId, Repositories::Name])
            .from(Repositories::Table)
            .order_by(Repositories::Id, Order::Asc)
            .to_owned();
        let mut seen = HashSet::new();
        for row in db.query_all(builder.build(&select)).await? {
            let id = i32::try_get_by(&row, 0usize).map_err(|e| DbErr::Custom(format!("{e:?}")))?;
            let owner = i32::try_get_by(&row, 1usize).map_err(|e| DbErr::Custom(format!("{e:?}")))?;
            let name = String::try_get_by(&row, 2usize).map_err(|e| DbErr::Custom(format!("{e:?}")))?;
            if seen.insert((owner, name.to_ascii_lowercase())) {
                continue;
            }
            let kept: String = name.chars().take(88).collect();
            let rename = Query::update()
                .table(Repositories::Table)
                .value(Repositories::Name, format!("{kept}-{id}"))
                .and_where(Expr::col(Repositories::Id).eq(id))
                .to_owned();
            db.execute(builder.build(&rename)).await?;
        }
        // sea-query 0.32 cannot write an index on an expression; this statement is the same SQL on
        // SQLite and PostgreSQL.
        db.execute_unprepared(&format!("CREATE UNIQUE INDEX {INDEX} ON repositories (owner_id, lower(name))")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(Repositories::Table).to_owned()).await
    }
}
