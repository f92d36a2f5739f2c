//! `/settings/rotations`: start rotating a managed key (or a dry run that only looks), and every
//! rotation so far. A plain form post that lands on the new rotation's page, so it works without
//! JavaScript; `?key=ID` preselects a key (the SSH keys page links here).

use crate::api::keys::list_ssh_keys;
use crate::api::rotation::{StartRotation, get_rotations};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error};
use crate::components::form_action::FormAction;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::rotation::{counts_text, state_label};
use crate::components::settled::IntoSyncAny;
use crate::model::{RotationView, SshKeyDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RotationsPage() -> impl IntoView {
    let admin = is_admin(expect_context::<MeResource>());
    let start = FormAction::<StartRotation>::new();
    let rotations = page_resource(|| (), |_| get_rotations());
    let keys = page_resource(|| (), |_| list_ssh_keys());
    view! {
        <Title text="Key rotations" />
        <h1>"Key rotations"</h1>
        <p class="lead">
            "Replace a key on every connection that uses it, with no password: the new key is added "
            "and proven on each host before the connection switches to it and the old line goes."
        </p>
        <Show when=move || admin.get()>
            <section class="card" aria-labelledby="start">
                <h2 id="start">"Start a rotation"</h2>
                <Transition fallback=|| {
                    view! { <p>"Loading…"</p> }
                }>
                    {move || {
                        keys.get()
                            .map(|result| match result {
                                Ok(keys) if keys.is_empty() => view! { <p>"No managed key yet."</p> }.into_sync_any(),
                                Ok(keys) => view! { <StartForm keys start /> }.into_sync_any(),
                                Err(error) => view! { <LoadError error /> }.into_sync_any(),
                            })
                    }}
                </Transition>
                <FormError error=action_error(start) />
            </section>
        </Show>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                rotations
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! { <EmptyState>"No key has been rotated yet."</EmptyState> }.into_sync_any()
                        }
                        Ok(list) => view! { <RotationTable list /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn StartForm(keys: Vec<SshKeyDetail>, start: FormAction<StartRotation>) -> impl IntoView {
    let query = use_query_map();
    let chosen = untrack(move || query.read().get("key")).unwrap_or_default();
    view! {
        <PostForm action=start attr:class="stack">
            <label for="key_id">"Key"</label>
            <select id="key_id" name="key_id">
                {keys
                    .into_iter()
                    .map(|k| {
                        let id = k.key.id.to_string();
                        let selected = id == chosen;
                        let label = format!(
                            "{}{} — {} connection(s)",
                            k.key.name,
                            if k.key.is_system_key { " (system key)" } else { "" },
                            k.used_by.len(),
                        );
                        view! {
                            <option value=id selected=selected>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="key_type">"New key's type"</label>
            <select id="key_type" name="key_type">
                <option value="">"The same as now"</option>
                <option value="ed25519">"ed25519"</option>
                <option value="ecdsa">"ecdsa (256 bits)"</option>
                <option value="rsa">"rsa (3072 bits)"</option>
            </select>
            <label class="check">
                <input type="checkbox" name="dry_run" value="on" />
                "Dry run: log in to every host with the current key, show what would be done, change nothing"
            </label>
            <button class="btn" type="submit">
                "Start rotation"
            </button>
        </PostForm>
    }
}

#[component]
fn RotationTable(list: Vec<RotationView>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Rotations (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Rotations, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Rotation"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Connections"</th>
                        <th scope="col">"Started"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|r| {
                            let href = format!("/settings/rotations/{}", r.id);
                            let started = format!("{} by {}", r.created_at, r.started_by);
                            view! {
                                <tr>
                                    <td>
                                        <a href=href>{format!("#{}", r.id)}</a>
                                    </td>
                                    <td>{r.old_key_name.clone()}</td>
                                    <td>{state_label(&r.state)}</td>
                                    <td>{counts_text(&r)}</td>
                                    <td>{started}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
