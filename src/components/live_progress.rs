//! The stages of a test or deploy while it runs. With JavaScript the page polls the server every
//! 300 ms and lists each finished stage (a silent host shows "tcp ok" and then the wait for the
//! handshake); without it the form post simply returns the finished result.

use crate::components::connections::StageList;
use crate::components::when::When;
use crate::model::StageView;
use leptos::prelude::*;

/// How often the page asks for progress while an operation runs.
#[cfg(feature = "hydrate")]
const POLL: std::time::Duration = std::time::Duration::from_millis(300);

/// Shows "Working…" and the stages finished so far while `watching` names a running operation
/// (its progress key: `connection:<id>` or `setup:connection`).
#[component]
pub fn LiveProgress(#[prop(into)] watching: Signal<Option<String>>) -> impl IntoView {
    let stages = RwSignal::new(Vec::<StageView>::new());
    #[cfg(feature = "hydrate")]
    {
        use crate::api::connections::get_progress;
        let timer = StoredValue::new(None::<IntervalHandle>);
        Effect::new(move |_| {
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
            timer.set_value(None);
            stages.set(Vec::new());
            if let Some(key) = watching.get() {
                let poll = move || {
                    let key = key.clone();
                    leptos::task::spawn_local(async move {
                        if let Ok(progress) = get_progress(key.clone()).await
                            && watching.get_untracked().as_ref() == Some(&key)
                        {
                            stages.set(progress.stages);
                        }
                    });
                };
                timer.set_value(set_interval_with_handle(poll, POLL).ok());
            }
        });
        on_cleanup(move || {
            if let Some(handle) = timer.get_value() {
                handle.clear();
            }
        });
    }
    view! {
        <When when=move || watching.get().is_some()>
            <div class="notice live-progress" role="status" aria-live="polite">
                <p>
                    <span class="spinner" aria-hidden="true"></span>
                    "Working: connecting, checking the host key, logging in…"
                </p>
                {move || {
                    let done = stages.get();
                    (!done.is_empty()).then(|| view! { <StageList stages=done /> })
                }}
            </div>
        </When>
    }
}
