//! One page of a query, for the paged settings pages, read in one round trip: the page's rows
//! carry the total as an uncorrelated subquery (`(SELECT COUNT(*) …) AS paging_total`), which
//! SQLite and PostgreSQL both evaluate once. sea-orm's paginator asks twice (a count, then the
//! page), and every round trip to SQLite is a hop to its worker thread and back.
//!
//! A page past the end is the last page (found with one more count, only then), and an empty list
//! has one empty page.

use crate::model::Page;
use crate::server::error::ServiceError;
use sea_orm::sea_query::{Alias, Expr, SelectStatement, SimpleExpr, SubQueryStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, QueryTrait};

/// The column the total rides in.
const TOTAL: &str = "paging_total";

/// Page `page` (1-based) of `select`, `per_page` rows each, decoded as `M` (the entity's model,
/// or a model with joined columns such as a key's name). `select` must not group or be
/// `DISTINCT`: its rows are counted as they are joined.
pub async fn fetch<M, Q>(
    db: &impl ConnectionTrait,
    select: Q,
    per_page: u64,
    page: u64,
) -> Result<Page<M>, ServiceError>
where
    M: FromQueryResult,
    Q: QueryTrait<QueryStatement = SelectStatement>,
{
    let query = select.into_query();
    let per_page = per_page.max(1);
    let wanted = page.max(1);
    let (rows, total) = page_rows::<M>(db, &query, per_page, wanted).await?;
    if !rows.is_empty() || wanted == 1 {
        return Ok(Page { rows, total, page: wanted, pages: pages_for(total, per_page) });
    }
    // Past the end (or the list shrank): show the last page.
    let total = count(db, &query).await?;
    let pages = pages_for(total, per_page);
    let (rows, total) = if total == 0 { (Vec::new(), 0) } else { page_rows::<M>(db, &query, per_page, pages).await? };
    Ok(Page { rows, total, page: pages, pages: pages_for(total, per_page) })
}

/// How many pages `total` rows make; never fewer than one.
fn pages_for(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page).max(1)
}

/// `SELECT COUNT(*)` over the query's rows (its joins and filters, no order).
fn count_statement(query: &SelectStatement) -> SelectStatement {
    let mut counted = query.clone();
    counted.clear_order_by().clear_selects().expr(Expr::cust("COUNT(*)"));
    counted
}

/// The rows of page `page` and the total they carry (0 when the page is empty).
async fn page_rows<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    query: &SelectStatement,
    per_page: u64,
    page: u64,
) -> Result<(Vec<M>, u64), ServiceError> {
    let total = SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(count_statement(query))));
    let mut statement = query.clone();
    statement.expr_as(total, Alias::new(TOTAL)).limit(per_page).offset((page - 1).saturating_mul(per_page));
    let found = db.query_all(db.get_database_backend().build(&statement)).await?;
    let total = match found.first() {
        Some(row) => as_count(row.try_get::<i64>("", TOTAL)?),
        None => 0,
    };
    let rows = found.iter().map(|row| M::from_query_result(row, "")).collect::<Result<Vec<M>, _>>()?;
    Ok((rows, total))
}

async fn count(db: &impl ConnectionTrait, query: &SelectStatement) -> Result<u64, ServiceError> {
    let statement = count_statement(query);
    let row = db.query_one(db.get_database_backend().build(&statement)).await?;
    match row {
        Some(row) => Ok(as_count(row.try_get_by_index::<i64>(0)?)),
        None => Ok(0),
    }
}

fn as_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::pages_for;

    #[test]
    fn an_empty_list_has_one_page_and_a_partial_page_counts() {
        assert_eq!(pages_for(0, 25), 1);
        assert_eq!(pages_for(25, 25), 1);
        assert_eq!(pages_for(26, 25), 2);
        assert_eq!(pages_for(1000, 25), 40);
    }
}
