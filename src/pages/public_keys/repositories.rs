//! `/settings/repositories`: every backup repository, and a form to create one of your own.

use crate::api::public_keys::{CreateRepository, list_repositories};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::keys::short_time;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::RepositoryView;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RepositoriesPage() -> impl IntoView {
    let create = FormAction::<CreateRepository>::new();
    toast_done(create, "Repository created.");
    let repos = page_resource(finished_runs!(create), |_| list_repositories());
    view! {
        <Title text="Repositories" />
        <h1>"Repositories"</h1>
        <p class="lead">
            "Backup repositories and their deploy keys: SSH keys that reach one repository only. Their owner and admins manage the keys."
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading repositories…"</p> }
        }>
            {move || {
                repos
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState>
                                    "No repositories yet. Create one below, then add the deploy keys that may reach it."
                                </EmptyState>
                            }
                                .into_sync_any()
                        }
                        Ok(list) => view! { <RepositoryTable list /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <section class="card" aria-labelledby="new-repository">
            <h2 id="new-repository">"New repository"</h2>
            <PostForm action=create attr:class="stack">
                <label for="repo-name">"Name"</label>
                <input
                    id="repo-name"
                    name="name"
                    required
                    maxlength="100"
                    pattern="[A-Za-z0-9._\\-]+"
                    placeholder="nas-backup"
                />
                <label for="repo-description">"Description"</label>
                <input id="repo-description" name="description" maxlength="500" />
                <FormError error=action_error(create) />
                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>
                    "Create repository"
                </button>
            </PostForm>
        </section>
    }
}

#[component]
fn RepositoryTable(list: Vec<RepositoryView>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|repo| {
            let full_name = format!("{}/{}", repo.owner, repo.name);
            let keys = if repo.can_manage { repo.deploy_key_count.to_string() } else { "—".to_string() };
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("/settings/repositories/{full_name}")>{full_name.clone()}</a>
                    </th>
                    <td>{repo.description.clone()}</td>
                    <td>{keys}</td>
                    <td>{short_time(&repo.created_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Repositories (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Repositories"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Repository"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Deploy keys"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
