//! The wizard's SSH key step: generate the system key (ed25519 preselected) or import one, or
//! skip; once there is a system key, its public key is shown with a copy button.

use super::actions::GoButton;
use crate::api::keys::{GenerateSshKey, ImportSshKey, list_ssh_keys};
use crate::components::copy_button::CopyButton;
use crate::components::feedback::{FormError, LoadError, UploadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::model::SshKeyDetail;
use crate::pages::keys::KEY_SPECS;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const SYSTEM_KEY_NAME: &str = "System SSH Key";

#[component]
pub fn KeyStep() -> impl IntoView {
    let generate = FormAction::<GenerateSshKey>::new();
    let import = FormAction::<ImportSshKey>::new();
    let keys = page_resource(finished_runs!(generate, import), |_| list_ssh_keys());
    view! {
        <h2>"SSH key"</h2>
        <p class="lead">
            "The system key is the identity Keyhaven logs in with by default. Its private half is encrypted at rest and never shown again."
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                keys.get()
                    .map(|result| match result {
                        Ok(list) => {
                            match list.into_iter().find(|k| k.key.is_system_key) {
                                Some(system) => view! { <SystemKeyReady system /> }.into_sync_any(),
                                None => view! { <MakeSystemKey generate import /> }.into_sync_any(),
                            }
                        }
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn SystemKeyReady(system: SshKeyDetail) -> impl IntoView {
    let line = system.key.public_key.clone();
    view! {
        <section class="stack" aria-label="System key">
            <p>
                <span class="badge badge-ok">"ready"</span>
                " "
                {format!("{} ({} bits)", system.key.key_type, system.key.bits)}
            </p>
            <p class="mono">{system.key.fingerprint.clone()}</p>
            <label for="setup-public-key">"Public key (add it to hosts by hand, or let the next step deploy it)"</label>
            <textarea id="setup-public-key" class="mono" rows="3" readonly>
                {line.clone()}
            </textarea>
            <CopyButton text=line label="Copy public key" />
        </section>
        <div class="wizard-nav">
            <GoButton to="connection" label="Next" primary=true />
        </div>
    }
}

/// The key as a file: a plain multipart form (an upload cannot ride a server function), which the
/// server answers with a redirect back here, with `?upload_error=` when the import failed.
#[component]
fn UploadSystemKey() -> impl IntoView {
    view! {
        <form method="post" action="/settings/ssh-keys/upload" enctype="multipart/form-data" class="stack">
            <input type="hidden" name="name" value=SYSTEM_KEY_NAME />
            <input type="hidden" name="system" value="on" />
            <input type="hidden" name="return_to" value="/setup" />
            <label for="setup-key-file">"Or upload the private key file"</label>
            <input id="setup-key-file" name="key_file" type="file" required />
            <label for="setup-upload-passphrase">"Passphrase of the file (if it has one)"</label>
            <input id="setup-upload-passphrase" name="passphrase" type="password" autocomplete="off" />
            <UploadError />
            <button class="btn" type="submit">
                "Upload as system key"
            </button>
        </form>
    }
}

#[component]
fn MakeSystemKey(generate: FormAction<GenerateSshKey>, import: FormAction<ImportSshKey>) -> impl IntoView {
    let generating = generate.pending();
    // A failed upload comes back as a page load: keep its form (and error) in view.
    let query = use_query_map();
    let upload_failed = move || query.read().get("upload_error").is_some();
    view! {
        <section class="stack" aria-labelledby="setup-generate">
            <h3 id="setup-generate">"Generate a new key"</h3>
            <PostForm action=generate attr:class="stack">
                <input type="hidden" name="name" value=SYSTEM_KEY_NAME />
                <input type="hidden" name="system" value="on" />
                <label for="setup-key-spec">"Type and size"</label>
                <select id="setup-key-spec" name="key_spec">
                    {KEY_SPECS
                        .map(|(value, label)| {
                            view! {
                                <option value=value selected=value == "ed25519">
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FormError error=action_error(generate) />
                <button class="btn btn-primary" type="submit" disabled=move || generating.get()>
                    {move || {
                        if generating.get() { "Generating… (RSA takes a few seconds)" } else { "Generate system key" }
                    }}
                </button>
            </PostForm>
        </section>
        <details class="stack" open=upload_failed>
            <summary>"Import an existing key instead"</summary>
            <PostForm action=import attr:class="stack">
                <input type="hidden" name="name" value=SYSTEM_KEY_NAME />
                <input type="hidden" name="system" value="on" />
                <label for="setup-private-key">"Private key (OpenSSH or PEM)"</label>
                <textarea
                    id="setup-private-key"
                    name="private_key"
                    class="mono"
                    rows="6"
                    required
                    placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                ></textarea>
                <label for="setup-passphrase">"Passphrase (if the key has one)"</label>
                <input id="setup-passphrase" name="passphrase" type="password" autocomplete="off" />
                <FormError error=action_error(import) />
                <button class="btn" type="submit" disabled=move || import.pending().get()>
                    "Import as system key"
                </button>
            </PostForm>
            <UploadSystemKey />
        </details>
        <div class="wizard-nav">
            <GoButton to="connection" label="Skip this step" />
        </div>
        <p class="hint">
            "Skip when Keyhaven only backs up locally; you can add a key later in Settings → SSH keys."
        </p>
    }
}
