//! A button that copies text to the clipboard. It needs JavaScript, so it stays hidden until the
//! page has hydrated; without JavaScript the text is still selectable in its read-only field.

use leptos::prelude::*;

#[component]
pub fn CopyButton(text: String, label: &'static str) -> impl IntoView {
    let (hydrated, set_hydrated) = signal(false);
    let (outcome, set_outcome) = signal(None::<bool>);
    // Effects run only in the browser, so this reveals the button exactly when it can work.
    Effect::new(move |_| set_hydrated.set(true));
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let promise = window.navigator().clipboard().write_text(&text);
            wasm_bindgen_futures::spawn_local(async move {
                let written = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                set_outcome.set(Some(written));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&text, set_outcome);
    };
    view! {
        <button type="button" class="btn btn-small" hidden=move || !hydrated.get() on:click=copy>
            <span aria-live="polite">
                {move || match outcome.get() {
                    Some(true) => "Copied",
                    Some(false) => "Copy failed: select the text instead",
                    None => label,
                }}
            </span>
        </button>
    }
}
