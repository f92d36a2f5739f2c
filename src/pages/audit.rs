//! `/settings/audit`: the audit log, newest first, filtered by action prefix and user. The filter is
//! a GET form, so filtered views can be bookmarked and work without JavaScript.

use crate::api::audit::load_audit_page;
use crate::components::feedback::{EmptyState, LoadError};
use crate::components::page_resource::page_resource;
use crate::components::settled::IntoSyncAny;
use crate::model::AuditPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let entries = page_resource(
        move || (param("action"), param("actor"), param("page").parse::<u64>().unwrap_or(1)),
        |(action, actor, page)| load_audit_page(action, actor, page),
    );
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <form method="get" action="/settings/audit" class="filter-bar" role="search">
            <label for="audit-action">"Action starts with"</label>
            <input id="audit-action" name="action" value=move || param("action") placeholder="login" />
            <label for="audit-actor">"User"</label>
            <input id="audit-actor" name="actor" value=move || param("actor") />
            <button class="btn" type="submit">
                "Filter"
            </button>
        </form>
        <Transition fallback=|| {
            view! { <p>"Loading the audit log…"</p> }
        }>
            {move || {
                entries
                    .get()
                    .map(|result| match result {
                        Ok(page) if page.entries.is_empty() => {
                            view! { <EmptyState>"Nothing recorded matches this filter."</EmptyState> }.into_sync_any()
                        }
                        Ok(page) => {
                            view! { <AuditTable page filter=(param("action"), param("actor")) /> }.into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn AuditTable(page: AuditPage, filter: (String, String)) -> impl IntoView {
    let link = move |n: u64| format!("/settings/audit?action={}&actor={}&page={n}", filter.0, filter.1);
    let prev = (page.page > 1).then(|| view! { <a href=link(page.page - 1)>"← Newer"</a> });
    let next = (page.page < page.total_pages).then(|| view! { <a href=link(page.page + 1)>"Older →"</a> });
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Audit entries, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When (UTC)"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Result"</th>
                        <th scope="col">"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    {page
                        .entries
                        .into_iter()
                        .map(|e| {
                            let class = if e.result == "success" { "badge" } else { "badge badge-error" };
                            view! {
                                <tr>
                                    <td>{e.at}</td>
                                    <td>{e.actor}</td>
                                    <td>
                                        <code>{e.action}</code>
                                    </td>
                                    <td>{e.target}</td>
                                    <td>{e.client_addr}</td>
                                    <td>
                                        <span class=class>{e.result}</span>
                                    </td>
                                    <td>{e.detail}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Audit pages">
            {prev}
            <span>{format!("Page {} of {}", page.page, page.total_pages)}</span>
            {next}
        </nav>
    }
}
