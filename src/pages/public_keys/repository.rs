//! `/settings/repositories/{owner}/{name}`: one repository and its deploy keys.

use crate::api::public_keys::{AddDeployKey, DeleteDeployKey, DeleteRepository, get_repository_detail};
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs, reset_on_success};
use crate::components::form_action::FormAction;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::public_keys::{ConfirmDelete, PublicKeyTable};
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::{PublicKeyView, RepositoryDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RepositoryPage() -> impl IntoView {
    let params = use_params_map();
    let owner = move || params.read().get("owner").unwrap_or_default();
    let name = move || params.read().get("name").unwrap_or_default();
    let add = FormAction::<AddDeployKey>::new();
    let delete_key = FormAction::<DeleteDeployKey>::new();
    let delete_repo = FormAction::<DeleteRepository>::new();
    toast_done(add, "Deploy key added.");
    toast_done(delete_key, "Deploy key deleted.");
    let runs = finished_runs!(add, delete_key);
    let detail =
        page_resource(move || (owner(), name(), runs()), |(owner, name, _)| get_repository_detail(owner, name));
    view! {
        <Title text=move || format!("{}/{}", owner(), name()) />
        <p>
            <a href="/settings/repositories">"← Repositories"</a>
        </p>
        <h1>{move || format!("{}/{}", owner(), name())}</h1>
        <FormError error=Signal::derive(move || {
            action_error(delete_key).get().or_else(|| action_error(delete_repo).get())
        }) />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                detail
                    .get()
                    .map(|result| match result {
                        Ok(detail) => view! { <RepositoryBody detail add delete_key delete_repo /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn RepositoryBody(
    detail: RepositoryDetail,
    add: FormAction<AddDeployKey>,
    delete_key: FormAction<DeleteDeployKey>,
    delete_repo: FormAction<DeleteRepository>,
) -> impl IntoView {
    let repo = detail.repo;
    if !repo.can_manage {
        return view! {
            <p class="lead">{repo.description.clone()}</p>
            <div class="empty-state">
                {format!("Only {} and admins can see and change this repository's deploy keys.", repo.owner)}
            </div>
        }
        .into_sync_any();
    }
    let (owner, name) = (repo.owner.clone(), repo.name.clone());
    let (form_owner, form_name) = (owner.clone(), name.clone());
    let keys = detail.deploy_keys;
    let key_count = keys.len();
    let table = if keys.is_empty() {
        view! {
            <div class="empty-state">
                "No deploy keys yet. Add the public key of the machine that backs up into this repository."
            </div>
        }
        .into_sync_any()
    } else {
        let (o, n) = (owner.clone(), name.clone());
        view! {
            <PublicKeyTable
                keys
                caption="Deploy keys"
                show_access=true
                delete_form=move |key: PublicKeyView| deploy_delete_form(delete_key, &o, &n, key)
            />
        }
        .into_sync_any()
    };
    view! {
        <p class="lead">{repo.description.clone()}</p>
        <h2>"Deploy keys"</h2>
        {table}
        <section class="card" aria-labelledby="add-deploy-key">
            <h2 id="add-deploy-key">"Add a deploy key"</h2>
            <PostForm action=add node_ref=reset_on_success(add) attr:class="stack">
                <input type="hidden" name="owner" value=form_owner />
                <input type="hidden" name="name" value=form_name />
                <label for="dk-title">"Title"</label>
                <input id="dk-title" name="title" maxlength="255" placeholder="ci-server" />
                <label for="dk-key">"Key (OpenSSH line or ---- BEGIN SSH2 PUBLIC KEY ---- block)"</label>
                <textarea id="dk-key" name="key" class="mono" rows="4" required></textarea>
                <label class="check">
                    <input type="checkbox" name="allow_write" />
                    " Allow write access (otherwise the key is read-only)"
                </label>
                <FormError error=action_error(add) />
                <button class="btn btn-primary" type="submit" disabled=move || add.pending().get()>
                    "Add deploy key"
                </button>
            </PostForm>
        </section>
        <section class="card danger-zone" aria-labelledby="delete-repository">
            <h2 id="delete-repository">"Delete this repository"</h2>
            <ConfirmDelete
                what=format!("{owner}/{name}")
                consequence=format!("Its {key_count} deploy key(s) are deleted with it and stop working.")
            >
                <PostForm action=delete_repo attr:class="inline-form">
                    <input type="hidden" name="owner" value=owner.clone() />
                    <input type="hidden" name="name" value=name.clone() />
                    <button class="btn btn-small btn-danger" type="submit">
                        {format!("Delete {owner}/{name}")}
                    </button>
                </PostForm>
            </ConfirmDelete>
        </section>
    }
    .into_sync_any()
}

fn deploy_delete_form(delete: FormAction<DeleteDeployKey>, owner: &str, name: &str, key: PublicKeyView) -> AnyView {
    let label = format!("Delete {}", key.title);
    let (owner, name) = (owner.to_string(), name.to_string());
    view! {
        <ConfirmDelete what=key.title.clone() consequence="The machine holding it loses access to this repository.">
            <PostForm action=delete attr:class="inline-form">
                <input type="hidden" name="owner" value=owner.clone() />
                <input type="hidden" name="name" value=name.clone() />
                <input type="hidden" name="id" value=key.id.to_string() />
                <button class="btn btn-small btn-danger" type="submit">
                    {label}
                </button>
            </PostForm>
        </ConfirmDelete>
    }
    .into_sync_any()
}
