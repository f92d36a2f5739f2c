//! Reading connections for pages and the API: all of them, one page, or the Dashboard's counts.
//! Only the name of each connection's key is joined into the query, never the key row itself,
//! whose sealed private key a list has no use for.

use super::store::to_view_named;
use crate::model::{ConnectionHealth, ConnectionPage, ConnectionView, StorageView};
use crate::server::entities::{ssh_connection, ssh_key};
use crate::server::error::ServiceError;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Select,
};

/// Connections shown per page on Settings → Connections.
pub const PER_PAGE: u64 = 25;

/// A connection with the name of its key, read in one query (a join on the key's name only).
#[derive(FromQueryResult)]
struct NamedConnection {
    #[sea_orm(nested)]
    connection: ssh_connection::Model,
    key_name: Option<String>,
}

impl NamedConnection {
    fn into_view(self) -> ConnectionView {
        to_view_named(&self.connection, self.key_name)
    }
}

/// Every connection with its key's name (read as a [`NamedConnection`]), in creation order.
fn named_in_order() -> Select<ssh_connection::Entity> {
    ssh_connection::Entity::find()
        .join(JoinType::LeftJoin, ssh_connection::Relation::SshKey.def())
        .column_as(ssh_key::Column::Name, "key_name")
        .order_by_asc(ssh_connection::Column::Id)
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ConnectionView>, ServiceError> {
    let rows = named_in_order().into_model::<NamedConnection>().all(db).await?;
    Ok(rows.into_iter().map(NamedConnection::into_view).collect())
}

/// Page `page` (1-based, clamped) of the connections, in creation order.
pub async fn page(db: &impl ConnectionTrait, page: u64) -> Result<ConnectionPage, ServiceError> {
    let found =
        crate::server::services::paging::fetch::<NamedConnection, _>(db, named_in_order(), PER_PAGE, page).await?;
    let rows: Vec<_> = found.rows.into_iter().map(NamedConnection::into_view).collect();
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    let strips = super::history::hour_strips(db, &ids, chrono::Utc::now(), crate::model::STRIP_HOURS).await?;
    Ok(ConnectionPage { rows, total: found.total, page: found.page, pages: found.pages, strips })
}

/// How many connections are connected or failed, and the `limit` fullest measured ones — counted
/// and picked by the database, so the Dashboard stays small however many connections there are.
pub async fn health(db: &impl ConnectionTrait, limit: u64) -> Result<ConnectionHealth, ServiceError> {
    use sea_orm::sea_query::Expr;
    use ssh_connection::Column;
    // One grouped count (over the status index) instead of a count per status.
    let by_status: Vec<(String, i64)> = ssh_connection::Entity::find()
        .select_only()
        .column(Column::Status)
        .column_as(Expr::col(Column::Id).count(), "connections")
        .group_by(Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let count = |status: &str| by_status.iter().filter(|(s, _)| s == status).map(|(_, n)| *n).sum::<i64>();
    let as_count = |n: i64| u64::try_from(n).unwrap_or(0);
    let total = as_count(by_status.iter().map(|(_, n)| n).sum());
    let (connected, failed) = (as_count(count("connected")), as_count(count("failed")));
    let share_used = Expr::cust("CAST(storage_used AS REAL) / storage_total");
    let measured = ssh_connection::Entity::find()
        .filter(Column::StorageTotal.gt(0))
        .order_by_desc(share_used)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let fullest: Vec<(String, StorageView)> = measured
        .iter()
        .filter_map(|c| {
            let storage = to_view_named(c, None).storage?;
            Some((format!("{}@{}:{}", c.username, c.host, c.port), storage))
        })
        .collect();
    Ok(ConnectionHealth { total, connected, failed, fullest, files_stale: None })
}
