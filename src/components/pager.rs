//! "Page 2 of 40" with plain links, so paging works without JavaScript; shown only when there is
//! more than one page.

use leptos::prelude::*;

#[component]
pub fn Pager(page: u64, pages: u64, total: u64, noun: &'static str) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=format!("Pages of {noun}")>
                {(page > 1)
                    .then(|| {
                        view! {
                            <a href=format!("?page={}", page - 1) rel="prev">
                                "Previous"
                            </a>
                        }
                    })}
                <span>{format!("Page {page} of {pages} ({total} {noun})")}</span>
                {(page < pages)
                    .then(|| {
                        view! {
                            <a href=format!("?page={}", page + 1) rel="next">
                                "Next"
                            </a>
                        }
                    })}
            </nav>
        }
    })
}
