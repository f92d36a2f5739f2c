//! `/setup`: the first run. Creates the first admin; once one exists it says so.

use crate::api::setup::{CreateFirstAdmin, get_setup_status};
use crate::components::feedback::{FormError, LoadError, action_error};
use crate::model::SetupStatus;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SetupPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_setup_status());
    let create = ServerAction::<CreateFirstAdmin>::new();
    let error = action_error(create);
    view! {
        <Title text="Setup" />
        <main class="auth-page" id="main">
            <div class="card auth-card">
                <h1>"Welcome to Keyhaven"</h1>
                <Suspense fallback=|| {
                    view! { <p>"Loading…"</p> }
                }>
                    {move || {
                        status
                            .get()
                            .map(|result| match result {
                                Ok(SetupStatus { admin_exists: true }) => {
                                    view! {
                                        <p>"Keyhaven is already set up."</p>
                                        <a class="btn btn-primary" href="/login">
                                            "Sign in"
                                        </a>
                                    }
                                        .into_any()
                                }
                                Ok(_) => {
                                    view! {
                                        <p class="lead">
                                            "Create the administrator account. You will use it to manage SSH keys, connections and other users."
                                        </p>
                                        <ActionForm action=create attr:class="stack">
                                            <label for="setup-username">"Username"</label>
                                            <input
                                                id="setup-username"
                                                name="username"
                                                autocomplete="username"
                                                required
                                                maxlength="64"
                                                autofocus
                                            />
                                            <label for="setup-password">"Password"</label>
                                            <input
                                                id="setup-password"
                                                name="password"
                                                type="password"
                                                autocomplete="new-password"
                                                required
                                                minlength="10"
                                                aria-describedby="setup-password-hint"
                                            />
                                            <p class="hint" id="setup-password-hint">
                                                "At least 10 characters."
                                            </p>
                                            <FormError error />
                                            <button
                                                class="btn btn-primary"
                                                type="submit"
                                                disabled=move || create.pending().get()
                                            >
                                                "Create admin account"
                                            </button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                                Err(error) => view! { <LoadError error /> }.into_any(),
                            })
                    }}
                </Suspense>
            </div>
        </main>
    }
}
