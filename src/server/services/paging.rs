//! One page of a query, for the paged settings pages: sea-orm's paginator counts the rows and
//! fetches the page; a page past the end is the last page, and an empty list has one empty page.

use crate::model::Page;
use crate::server::error::ServiceError;
use sea_orm::{ConnectionTrait, PaginatorTrait, SelectorTrait};

/// Page `page` (1-based) of `select` (an entity's `Select` or a `Selector` of any model),
/// `per_page` rows each.
pub async fn fetch<'db, C, P>(
    db: &'db C,
    select: P,
    per_page: u64,
    page: u64,
) -> Result<Page<<P::Selector as SelectorTrait>::Item>, ServiceError>
where
    C: ConnectionTrait,
    P: PaginatorTrait<'db, C>,
{
    let paginator = select.paginate(db, per_page);
    let counts = paginator.num_items_and_pages().await?;
    let pages = counts.number_of_pages.max(1);
    let page = page.clamp(1, pages);
    let rows = paginator.fetch_page(page - 1).await?;
    Ok(Page { rows, total: counts.number_of_items, page, pages })
}
