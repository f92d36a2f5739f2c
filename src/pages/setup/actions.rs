//! The wizard's shared pieces: its actions (every step's status depends on them) and the
//! Back/Next/Skip button. They sit apart from the wizard page so the step pages can use them
//! without importing the page that includes them.

use crate::api::setup::{CreateFirstAdmin, SetSetupStep};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use leptos::prelude::*;

/// The wizard's own actions; every step's status depends on them.
#[derive(Clone, Copy)]
pub struct SetupActions {
    pub create_admin: FormAction<CreateFirstAdmin>,
    pub go: FormAction<SetSetupStep>,
}

/// A Back, Next or Skip button: moves the wizard to `to` (stored, so it survives a restart).
#[component]
pub fn GoButton(to: &'static str, label: &'static str, #[prop(optional)] primary: bool) -> impl IntoView {
    let go = expect_context::<SetupActions>().go;
    view! {
        <PostForm action=go attr:class="inline-form">
            <input type="hidden" name="step" value=to />
            <button class=if primary { "btn btn-primary" } else { "btn" } type="submit">
                {label}
            </button>
        </PostForm>
    }
}
