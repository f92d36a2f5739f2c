//! What an admin can do with one line of a connection's `authorized_keys`: remove it from the host
//! (the exact line shown, a confirmation), or adopt its key — imported as a person's public key, or
//! noted. Each is a plain form post, so it works without JavaScript.

use crate::api::inventory::{AdoptInventoryLine, RemoveInventoryLine};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use leptos::prelude::*;

/// Where a line's controls post (an admin on one connection's page).
#[derive(Clone, Copy)]
pub struct LineActions {
    pub connection_id: i32,
    pub remove: FormAction<RemoveInventoryLine>,
    pub adopt: FormAction<AdoptInventoryLine>,
}

/// "Remove…": the exact line, a confirmation, and the post.
#[component]
pub fn RemoveControl(actions: LineActions, number: usize, text: String) -> impl IntoView {
    let shown = text.clone();
    view! {
        <details class="inline-details">
            <summary class="btn btn-small btn-danger">{format!("Remove line {number}…")}</summary>
            <PostForm action=actions.remove attr:class="stack confirm">
                <input type="hidden" name="id" value=actions.connection_id.to_string() />
                <input type="hidden" name="line" value=text />
                <p>"This exact line leaves the host's authorized_keys; every other line stays:"</p>
                <code class="mono">{shown}</code>
                <label class="check">
                    <input type="checkbox" name="confirm" required />
                    " I want this key to stop logging in here"
                </label>
                <button class="btn btn-small btn-danger" type="submit">
                    "Remove this line"
                </button>
            </PostForm>
        </details>
    }
}

/// "Adopt…": import the key as a user's public key, or note whose it is. The host is not touched.
#[component]
pub fn AdoptControl(actions: LineActions, number: usize, text: String) -> impl IntoView {
    let id = actions.connection_id.to_string();
    let (id_again, text_again) = (id.clone(), text.clone());
    let (user_id, title_id, note_id) =
        (format!("adopt-user-{number}"), format!("adopt-title-{number}"), format!("adopt-note-{number}"));
    view! {
        <details class="inline-details">
            <summary class="btn btn-small">{format!("Adopt line {number}…")}</summary>
            <PostForm action=actions.adopt attr:class="stack">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="line" value=text />
                <label for=user_id.clone()>"Import as the public key of user"</label>
                <input id=user_id name="user" required autocomplete="off" />
                <label for=title_id.clone()>"Title (optional; the key's comment otherwise)"</label>
                <input id=title_id name="title" autocomplete="off" />
                <button class="btn btn-small" type="submit">
                    "Import key"
                </button>
            </PostForm>
            <PostForm action=actions.adopt attr:class="stack">
                <input type="hidden" name="id" value=id_again />
                <input type="hidden" name="line" value=text_again />
                <label for=note_id.clone()>"Or note whose it is"</label>
                <input id=note_id name="note" required maxlength="500" autocomplete="off" />
                <button class="btn btn-small" type="submit">
                    "Save note"
                </button>
            </PostForm>
        </details>
    }
}
