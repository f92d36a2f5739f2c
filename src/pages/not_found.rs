use leptos::prelude::*;
use leptos_meta::Title;

/// Any unknown path; answers 404 on the server render.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <main class="auth-page" id="main">
            <div class="card auth-card">
                <h1>"Page not found"</h1>
                <p>"There is no page at this address."</p>
                <a class="btn" href="/">
                    "Go to the dashboard"
                </a>
            </div>
        </main>
    }
}
