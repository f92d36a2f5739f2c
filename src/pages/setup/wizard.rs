//! `/setup`: the wizard, one step per screen — admin account, SSH key, first connection, done.
//! Where it stands lives in the database, so a restart, another browser or another admin resumes
//! it; once finished, the page says so. Every step is a plain form, so it works without JavaScript.

use super::actions::SetupActions;
use super::connection::ConnectionStep;
use super::key::KeyStep;
use crate::api::setup::get_setup_status;
use crate::components::feedback::{FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::model::SetupStatus;
use leptos::prelude::*;
use leptos_meta::Title;

const STEPS: [(&str, &str); 4] =
    [("admin", "Admin account"), ("key", "SSH key"), ("connection", "First connection"), ("done", "Done")];

#[component]
pub fn SetupPage() -> impl IntoView {
    let actions = SetupActions { create_admin: FormAction::new(), go: FormAction::new() };
    provide_context(actions);
    let status = page_resource(finished_runs!(actions.create_admin, actions.go), |_| get_setup_status());
    view! {
        <Title text="Setup" />
        <main class="auth-page" id="main">
            <div class="card setup-card">
                <h1>"Set up Keyhaven"</h1>
                <Transition fallback=|| {
                    view! { <p>"Loading…"</p> }
                }>
                    {move || {
                        status
                            .get()
                            .map(|result| match result {
                                Ok(status) => view! { <Wizard status /> }.into_sync_any(),
                                Err(error) => view! { <LoadError error /> }.into_sync_any(),
                            })
                    }}
                </Transition>
            </div>
        </main>
    }
}

#[component]
fn Wizard(status: SetupStatus) -> impl IntoView {
    let step = status.step.clone();
    if step != "admin" && step != "done" && !status.can_continue {
        return view! {
            <p>"Setup is not finished yet. Sign in as an administrator to continue where it stopped."</p>
            <a class="btn btn-primary" href="/login?next=%2Fsetup">
                "Sign in"
            </a>
        }
        .into_sync_any();
    }
    let body = match step.as_str() {
        "admin" => view! { <AdminStep /> }.into_sync_any(),
        "key" => Suspend::new(key_step()).into_sync_any(),
        "connection" => Suspend::new(connection_step()).into_sync_any(),
        _ => view! { <Finished signed_in=status.can_continue /> }.into_sync_any(),
    };
    view! {
        <Progress current=step />
        {body}
    }
    .into_sync_any()
}

// The key and connection steps are the wizard's two large parts; each is split out of the page's
// code (`#[lazy]`), so that a visit downloads only the step it shows. On a full page load their
// code must be there before the page hydrates: the server adds a preload hint for it to the HTML,
// and the route loads it with the page's code (`preload_shown_step`).

#[leptos::lazy]
fn key_step() -> AnyView {
    view! { <KeyStep /> }.into_sync_any()
}

#[leptos::lazy]
fn connection_step() -> AnyView {
    view! { <ConnectionStep /> }.into_sync_any()
}

/// Loads the code of the step the server rendered (`data-setup-step` on the progress list), so
/// that it hydrates at once. A page the router builds (not hydrates) loads it when it shows it.
#[cfg(feature = "hydrate")]
pub async fn preload_shown_step() {
    let shown = document()
        .query_selector("[data-setup-step]")
        .ok()
        .flatten()
        .and_then(|element| element.get_attribute("data-setup-step"));
    match shown.as_deref() {
        Some("key") => __preload_key_step().await,
        Some("connection") => __preload_connection_step().await,
        _ => {}
    }
}

/// "Step 2 of 4" and the list of steps, the current one marked for screen readers.
#[component]
fn Progress(current: String) -> impl IntoView {
    let index = STEPS.iter().position(|(id, _)| *id == current).unwrap_or(0);
    view! {
        <nav aria-label="Setup progress" data-setup-step=current>
            <p class="hint">{format!("Step {} of {}", index + 1, STEPS.len())}</p>
            <ol class="wizard-steps">
                {STEPS
                    .iter()
                    .enumerate()
                    .map(|(i, (_, label))| {
                        let class = match i.cmp(&index) {
                            std::cmp::Ordering::Less => "wizard-step done",
                            std::cmp::Ordering::Equal => "wizard-step current",
                            std::cmp::Ordering::Greater => "wizard-step",
                        };
                        view! {
                            <li class=class aria-current=(i == index).then_some("step")>
                                {*label}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}

#[component]
fn AdminStep() -> impl IntoView {
    let create = expect_context::<SetupActions>().create_admin;
    let error = action_error(create);
    view! {
        <h2>"Admin account"</h2>
        <p class="lead">
            "Create the administrator account. You will use it to manage SSH keys, connections and other users."
        </p>
        <PostForm action=create attr:class="stack">
            <label for="setup-username">"Username"</label>
            <input id="setup-username" name="username" autocomplete="username" required maxlength="64" autofocus />
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
            <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>
                "Create admin account"
            </button>
        </PostForm>
    }
}

#[component]
fn Finished(signed_in: bool) -> impl IntoView {
    let links = [
        ("/", "Dashboard"),
        ("/settings/ssh-keys", "SSH keys"),
        ("/settings/connections", "Connections"),
        ("/settings/known-hosts", "Known hosts"),
        ("/settings/users", "Users"),
        ("/settings/tokens", "API tokens"),
    ];
    view! {
        <h2>"Keyhaven is set up"</h2>
        <p class="lead">"Setup is finished. Everything it made can be changed in Settings."</p>
        {if signed_in {
            view! {
                <ul class="link-list">
                    {links
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <a href=href>{label}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <a class="btn btn-primary" href="/">
                    "Open the dashboard"
                </a>
            }
                .into_sync_any()
        } else {
            view! {
                <a class="btn btn-primary" href="/login">
                    "Sign in"
                </a>
            }
                .into_sync_any()
        }}
    }
}
