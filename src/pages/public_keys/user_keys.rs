//! `/settings/public-keys`: the signed-in user's own public keys, served to provisioning tools at
//! `/users/{username}/keys` and `/{username}.keys`.

use crate::api::public_keys::{AddMyPublicKey, DeleteMyPublicKey, list_my_public_keys};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs, reset_on_success};
use crate::components::form_action::FormAction;
use crate::components::layout::MeResource;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::public_keys::{ConfirmDelete, PublicKeyTable};
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::PublicKeyView;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PublicKeysPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let add = FormAction::<AddMyPublicKey>::new();
    let delete = FormAction::<DeleteMyPublicKey>::new();
    toast_done(add, "Public key added.");
    toast_done(delete, "Public key deleted.");
    let keys = page_resource(finished_runs!(add, delete), |_| list_my_public_keys());
    let username = move || me.get().and_then(Result::ok).flatten().map(|m| m.username).unwrap_or_default();
    view! {
        <Title text="My public keys" />
        <h1>"My public keys"</h1>
        <Transition fallback=|| ()>
            <p class="lead">
                "Keys you log in with. Tools that provision access read them, without signing in, at "
                <a href=move || format!("/{}.keys", username())>{move || format!("/{}.keys", username())}</a> " and "
                <code>{move || format!("/users/{}/keys", username())}</code> "."
            </p>
        </Transition>
        <FormError error=action_error(delete) />
        <Transition fallback=|| {
            view! { <p>"Loading keys…"</p> }
        }>
            {move || {
                keys.get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState>
                                    "You have no public keys yet. Paste the contents of your id_ed25519.pub below."
                                </EmptyState>
                            }
                                .into_sync_any()
                        }
                        Ok(list) => {
                            view! {
                                <PublicKeyTable
                                    keys=list
                                    caption="Your public keys"
                                    delete_form=move |key: PublicKeyView| delete_form(delete, key)
                                />
                            }
                                .into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <section class="card" aria-labelledby="add-public-key">
            <h2 id="add-public-key">"Add a public key"</h2>
            <PostForm action=add node_ref=reset_on_success(add) attr:class="stack">
                <label for="pk-title">"Title"</label>
                <input id="pk-title" name="title" maxlength="255" placeholder="laptop" />
                <label for="pk-key">"Key (OpenSSH line or ---- BEGIN SSH2 PUBLIC KEY ---- block)"</label>
                <textarea
                    id="pk-key"
                    name="key"
                    class="mono"
                    rows="4"
                    required
                    placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@laptop"
                ></textarea>
                <FormError error=action_error(add) />
                <button class="btn btn-primary" type="submit" disabled=move || add.pending().get()>
                    "Add key"
                </button>
            </PostForm>
        </section>
    }
}

fn delete_form(delete: FormAction<DeleteMyPublicKey>, key: PublicKeyView) -> AnyView {
    let label = format!("Delete {}", key.title);
    view! {
        <ConfirmDelete
            what=key.title.clone()
            consequence="Tools that read your keys will stop granting access with it."
        >
            <PostForm action=delete attr:class="inline-form">
                <input type="hidden" name="id" value=key.id.to_string() />
                <button class="btn btn-small btn-danger" type="submit">
                    {label}
                </button>
            </PostForm>
        </ConfirmDelete>
    }
    .into_sync_any()
}
