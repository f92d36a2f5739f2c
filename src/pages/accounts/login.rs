//! `/login`: sign in with username and password; `?next=` returns to the page that asked.

use crate::api::accounts::Login;
use crate::components::feedback::{FormError, action_error};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = FormAction::<Login>::new();
    let error = action_error(login);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_string());
    view! {
        <Title text="Sign in" />
        <main class="auth-page" id="main">
            <div class="card auth-card">
                <h1>"Sign in to Keyhaven"</h1>
                <PostForm action=login attr:class="stack">
                    <input type="hidden" name="next" prop:value=next value=next />
                    <label for="login-username">"Username"</label>
                    <input
                        id="login-username"
                        name="username"
                        autocomplete="username"
                        required
                        maxlength="64"
                        autofocus
                    />
                    <label for="login-password">"Password"</label>
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                    />
                    <FormError error />
                    <button class="btn btn-primary" type="submit" disabled=move || login.pending().get()>
                        "Sign in"
                    </button>
                </PostForm>
            </div>
        </main>
    }
}
