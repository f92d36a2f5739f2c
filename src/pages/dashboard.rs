//! `/`: the signed-in start page.

use crate::components::layout::MeResource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    let name = move || me.get().and_then(Result::ok).flatten().map(|m| m.username).unwrap_or_default();
    view! {
        <Title text="Dashboard" />
        <h1>"Dashboard"</h1>
        <Transition fallback=|| ()>
            <p class="lead">"Signed in as " <strong>{name}</strong> "."</p>
        </Transition>
        <div class="cards">
            <section class="card">
                <h2>"Users"</h2>
                <p>"Who may sign in, and whether they administer Keyhaven or only look."</p>
                <a href="/settings/users">"Manage users"</a>
            </section>
            <section class="card">
                <h2>"API tokens"</h2>
                <p>"Personal access tokens for scripts and tools, with scopes."</p>
                <a href="/settings/tokens">"Manage API tokens"</a>
            </section>
            <section class="card">
                <h2>"Audit log"</h2>
                <p>"Every sign-in and change, with who, when and from where."</p>
                <a href="/settings/audit">"Open the audit log"</a>
            </section>
        </div>
    }
}
