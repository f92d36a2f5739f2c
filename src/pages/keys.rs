//! `/settings/ssh-keys`: the system key, named keys, and forms to generate or import one.

use crate::api::keys::{DeleteSshKey, GenerateSshKey, ImportSshKey, RenameSshKey, SetKeyRotationPeriod, list_ssh_keys};
use crate::components::feedback::{
    EmptyState, FormError, LoadError, UploadError, action_error, finished_runs, reset_on_success,
};
use crate::components::form_action::FormAction;
use crate::components::keys::KeyCard;
use crate::components::keys::KeyTable;
use crate::components::layout::{MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::components::when::When;
use leptos::prelude::*;
use leptos_meta::Title;

/// The key types and sizes the forms offer (`type` or `type-bits`), ed25519 first.
pub const KEY_SPECS: [(&str, &str); 7] = [
    ("ed25519", "ed25519 (recommended)"),
    ("ecdsa-256", "ecdsa 256"),
    ("ecdsa-384", "ecdsa 384"),
    ("ecdsa-521", "ecdsa 521"),
    ("rsa-2048", "rsa 2048"),
    ("rsa-3072", "rsa 3072"),
    ("rsa-4096", "rsa 4096"),
];

#[component]
pub fn SshKeysPage() -> impl IntoView {
    let admin = is_admin(expect_context::<MeResource>());
    let generate = FormAction::<GenerateSshKey>::new();
    let import = FormAction::<ImportSshKey>::new();
    let delete = FormAction::<DeleteSshKey>::new();
    let rename = FormAction::<RenameSshKey>::new();
    let period = FormAction::<SetKeyRotationPeriod>::new();
    toast_done(generate, "SSH key generated.");
    toast_done(import, "SSH key imported.");
    toast_done(delete, "SSH key deleted.");
    toast_done(rename, "SSH key saved.");
    toast_done(period, "Rotation period saved.");
    let keys = page_resource(finished_runs!(generate, import, delete, rename, period), |_| list_ssh_keys());
    let (delete_error, rename_error) = (action_error(delete), action_error(rename));
    let period_error = action_error(period);
    let row_error =
        Signal::derive(move || delete_error.get().or_else(|| rename_error.get()).or_else(|| period_error.get()));
    view! {
        <Title text="SSH keys" />
        <h1>"SSH keys"</h1>
        <p class="lead">
            "The system key is the identity every connection uses unless you pick another. Private keys are encrypted at rest and never shown again."
        </p>
        <FormError error=row_error />
        <Transition fallback=|| {
            view! { <p>"Loading keys…"</p> }
        }>
            {move || {
                keys.get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState>
                                    "No SSH keys yet. Generate the system key below, or import one you already use."
                                </EmptyState>
                            }
                                .into_sync_any()
                        }
                        Ok(list) => {
                            let (system, named): (Vec<_>, Vec<_>) = list
                                .into_iter()
                                .partition(|detail| detail.key.is_system_key);
                            let no_system = system
                                .is_empty()
                                .then(|| {
                                    view! {
                                        <EmptyState>
                                            "There is no system key yet: connections without a key of their own need one. Generate it below with \"Make this the system key\" ticked."
                                        </EmptyState>
                                    }
                                });
                            let cards = system
                                .into_iter()
                                .map(|detail| view! { <KeyCard detail admin delete rename period /> })
                                .collect_view();
                            let table = (!named.is_empty())
                                .then(|| view! { <KeyTable keys=named admin delete rename period /> });
                            view! {
                                {no_system}
                                {cards}
                                {table}
                            }
                                .into_sync_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        // Inside a Transition so the server render waits for the signed-in user (pages must be
        // complete without JavaScript).
        <Transition fallback=|| ()>
            <When when=move || admin.get()>
                <KeyForms generate import />
            </When>
        </Transition>
    }
}

#[component]
fn KeyForms(generate: FormAction<GenerateSshKey>, import: FormAction<ImportSshKey>) -> impl IntoView {
    let generating = generate.pending();
    view! {
        <div class="cards">
            <section class="card">
                <h2>"Generate a key"</h2>
                <PostForm action=generate node_ref=reset_on_success(generate) attr:class="stack">
                    <label for="gen-name">"Name"</label>
                    <input id="gen-name" name="name" required maxlength="64" placeholder="backup-nas" />
                    <label for="gen-type">"Type and size"</label>
                    <select id="gen-type" name="key_spec">
                        {KEY_SPECS.map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </select>
                    <label for="gen-comment">"Comment (ends the .pub line; default keyhaven-<name>)"</label>
                    <input id="gen-comment" name="comment" maxlength="255" placeholder="backup@nas" />
                    <label for="gen-description">"Description"</label>
                    <input id="gen-description" name="description" maxlength="500" />
                    <label class="check">
                        <input type="checkbox" name="system" />
                        " Make this the system key (the default for every connection)"
                    </label>
                    <FormError error=action_error(generate) />
                    <button class="btn btn-primary" type="submit" disabled=move || generating.get()>
                        {move || {
                            if generating.get() { "Generating… (RSA takes a few seconds)" } else { "Generate key" }
                        }}
                    </button>
                </PostForm>
            </section>
            <UploadForm />
            <section class="card">
                <h2>"Import a key"</h2>
                <PostForm action=import node_ref=reset_on_success(import) attr:class="stack">
                    <label for="imp-name">"Name"</label>
                    <input id="imp-name" name="name" required maxlength="64" />
                    <label for="imp-key">"Private key (OpenSSH or PEM)"</label>
                    <textarea
                        id="imp-key"
                        name="private_key"
                        class="mono"
                        rows="6"
                        required
                        placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                    ></textarea>
                    <label for="imp-pass">"Passphrase (if the key has one)"</label>
                    <input id="imp-pass" name="passphrase" type="password" autocomplete="off" />
                    <label for="imp-description">"Description"</label>
                    <input id="imp-description" name="description" maxlength="500" />
                    <label class="check">
                        <input type="checkbox" name="system" />
                        " Make this the system key"
                    </label>
                    <FormError error=action_error(import) />
                    <button class="btn btn-primary" type="submit" disabled=move || import.pending().get()>
                        "Import key"
                    </button>
                </PostForm>
            </section>
        </div>
    }
}

/// A plain multipart form (an upload cannot ride a server function's URL-encoded post); the server
/// redirects back, with `?upload_error=` when the import failed.
#[component]
fn UploadForm() -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Upload a key file"</h2>
            <form method="post" action="/settings/ssh-keys/upload" enctype="multipart/form-data" class="stack">
                <label for="up-name">"Name"</label>
                <input id="up-name" name="name" required maxlength="64" />
                <label for="up-file">"Private key file"</label>
                <input id="up-file" name="key_file" type="file" required />
                <label for="up-pass">"Passphrase (if the key has one)"</label>
                <input id="up-pass" name="passphrase" type="password" autocomplete="off" />
                <label for="up-description">"Description"</label>
                <input id="up-description" name="description" maxlength="500" />
                <label class="check">
                    <input type="checkbox" name="system" />
                    " Make this the system key"
                </label>
                <UploadError />
                <button class="btn btn-primary" type="submit">
                    "Upload key"
                </button>
            </form>
        </section>
    }
}
