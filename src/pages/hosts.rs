//! `/settings/known-hosts`: scan a host (a GET form, so the result is a page of its own, with or
//! without JavaScript), compare its fingerprints with what you expect, trust one; a changed key
//! shows trusted and offered keys side by side and can be replaced only by an explicit action.

use crate::api::hosts::{
    RemoveKnownHost, ReplaceKnownHost, TrustKnownHost, get_host_key_policy, list_known_hosts, scan_known_host,
};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::hosts::OfferedKeys;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::pager::Pager;
use crate::components::post_form::PostForm;
use crate::components::public_keys::ConfirmDelete;
use crate::components::settled::{IntoSyncAny, Settled};
use crate::components::toasts::toast_done;
use crate::model::{HostKeyPolicy, KnownHostView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn KnownHostsPage() -> impl IntoView {
    let admin = is_admin(expect_context::<MeResource>());
    let trust = FormAction::<TrustKnownHost>::new();
    let replace = FormAction::<ReplaceKnownHost>::new();
    let remove = FormAction::<RemoveKnownHost>::new();
    toast_done(trust, "Host key trusted.");
    toast_done(replace, "Trusted host key replaced.");
    toast_done(remove, "Known host removed.");
    let query = use_query_map();
    let target = move || {
        let q = query.read();
        q.get("host")
            .filter(|h| !h.trim().is_empty())
            .map(|h| (h, q.get("port").and_then(|p| p.parse().ok()).unwrap_or(22u16)))
    };
    let trusted = finished_runs!(trust, replace);
    let scan = page_resource(
        move || (target(), trusted()),
        |(t, _)| async move {
            match t {
                Some((host, port)) => Some(scan_known_host(host, port).await),
                None => None,
            }
        },
    );
    let policy = Resource::new(|| (), |_| get_host_key_policy());
    let page_number = move || query.read().get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let list = page_resource(
        {
            let runs = finished_runs!(trust, replace, remove);
            move || (runs(), page_number())
        },
        |(_, page)| list_known_hosts(page),
    );
    view! {
        <Title text="Known hosts" />
        <h1>"Known hosts"</h1>
        <p class="lead">
            "Keyhaven logs in only to hosts whose key is trusted here, and never sends a password to any other."
        </p>
        <Transition fallback=|| ()>
            {move || policy.get().and_then(Result::ok).map(|p| view! { <PolicyNote policy=p /> })}
        </Transition>
        <section class="card" aria-labelledby="scan-host">
            <h2 id="scan-host">"Scan a host"</h2>
            <form method="get" class="form-grid">
                <label for="scan-host-name">"Host"</label>
                <input
                    id="scan-host-name"
                    name="host"
                    required
                    value=move || target().map(|t| t.0).unwrap_or_default()
                />
                <label for="scan-port">"Port"</label>
                <input
                    id="scan-port"
                    name="port"
                    type="number"
                    min="1"
                    max="65535"
                    value=move || target().map(|t| t.1).unwrap_or(22).to_string()
                />
                <button class="btn btn-primary" type="submit">
                    "Scan"
                </button>
            </form>
            <FormError error=action_error(trust) />
            <FormError error=action_error(replace) />
            <Transition fallback=|| {
                view! { <p role="status">"Scanning…"</p> }
            }>
                {move || {
                    scan.get()
                        .flatten()
                        .map(|result| match result {
                            Ok(found) => {
                                view! { <OfferedKeys scan=found admin=admin.get() trust replace /> }.into_sync_any()
                            }
                            Err(error) => view! { <LoadError error /> }.into_sync_any(),
                        })
                }}
            </Transition>
        </section>
        <h2>"Trusted keys"</h2>
        <FormError error=action_error(remove) />
        <p>
            <a href="/api/known-hosts/export" download="known_hosts">
                "Download as known_hosts"
            </a>
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                list.get()
                    .map(|result| match result {
                        Ok(page) if page.rows.is_empty() => {
                            view! { <EmptyState>"No trusted hosts yet. Scan one above."</EmptyState> }.into_sync_any()
                        }
                        Ok(page) => {
                            let (number, pages, total) = (page.page, page.pages, page.total);
                            view! {
                                <KnownHostTable rows=page.rows admin=admin.get() remove />
                                <Pager page=number pages total noun="trusted keys" />
                            }
                                .into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn KnownHostTable(rows: Vec<KnownHostView>, admin: bool, remove: FormAction<RemoveKnownHost>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Trusted host keys (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Trusted host keys"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Host"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Fingerprint"</th>
                        <th scope="col">"Trusted by"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let name = if row.port == 22 {
                                row.host.clone()
                            } else {
                                format!("[{}]:{}", row.host, row.port)
                            };
                            Settled(
                                // Settled: nothing in a row waits for data (see `settled`).
                                view! {
                                    <tr>
                                        <td>{name.clone()}</td>
                                        <td>{row.key_type.clone()}</td>
                                        <td class="mono">{row.fingerprint.clone()}</td>
                                        <td>{format!("{} · {}", row.trusted_by, row.created_at)}</td>
                                        <td>
                                            {admin
                                                .then(|| {
                                                    view! {
                                                        <ConfirmDelete
                                                            what=format!("the {} key of {name}", row.key_type)
                                                            consequence="Connections to this host stop until a key is trusted again."
                                                        >
                                                            <PostForm action=remove attr:class="inline-form">
                                                                <input type="hidden" name="id" value=row.id.to_string() />
                                                                <button class="btn btn-small btn-danger" type="submit">
                                                                    {format!("Remove {} key of {name}", row.key_type)}
                                                                </button>
                                                            </PostForm>
                                                        </ConfirmDelete>
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                },
                            )
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// States the `host_key_policy` setting, so an operator knows whether new hosts wait for them.
#[component]
fn PolicyNote(policy: HostKeyPolicy) -> impl IntoView {
    let text = match policy {
        HostKeyPolicy::Confirm => {
            "Host key policy: confirm. A new host is refused until someone checks its fingerprint and trusts a key here (API clients may also pin one with host_key_fingerprint)."
        }
        HostKeyPolicy::AcceptNew => {
            "Host key policy: accept-new. The keys a new host offers at first contact are trusted and written to the audit log with their fingerprints; a changed key is always refused."
        }
    };
    view! {
        <p class="note" data-host-key-policy=policy.as_str()>
            {text}
        </p>
    }
}
