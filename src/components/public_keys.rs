//! A table of public keys (a person's own or a repository's deploy keys) with a delete form per
//! row that the caller supplies, so each page posts to its own server function.

use crate::components::keys::short_time;
use crate::model::PublicKeyView;
use leptos::prelude::*;

#[component]
pub fn PublicKeyTable<F>(
    keys: Vec<PublicKeyView>,
    caption: &'static str,
    /// Show the read-only / read-write column (deploy keys).
    #[prop(optional)]
    show_access: bool,
    delete_form: F,
) -> impl IntoView
where
    F: Fn(PublicKeyView) -> AnyView + 'static,
{
    let rows = keys
        .into_iter()
        .map(|key| {
            let access = show_access.then(|| {
                let label = if key.read_only { "read-only" } else { "read-write" };
                view! { <td>{label}</td> }
            });
            let delete = delete_form(key.clone());
            view! {
                <tr id=format!("public-key-{}", key.id)>
                    <th scope="row">{key.title.clone()}</th>
                    <td>{format!("{} {}", key.key_type, key.bits)}</td>
                    <td class="mono">{key.fingerprint.clone()}</td>
                    <td>{key.comment.clone()}</td>
                    {access}
                    <td>{short_time(&key.created_at)}</td>
                    <td>{delete}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Public keys (scrolls sideways)">
            <table class="public-key-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Fingerprint"</th>
                        <th scope="col">"Comment"</th>
                        {show_access.then(|| view! { <th scope="col">"Access"</th> })}
                        <th scope="col">"Added"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A delete button behind a `<details>` that says what will stop working.
#[component]
pub fn ConfirmDelete<C: IntoView + 'static>(
    #[prop(into)] what: String,
    #[prop(into)] consequence: String,
    children: TypedChildren<C>,
) -> impl IntoView {
    view! {
        <details class="inline-details">
            <summary class="btn btn-small btn-danger">"Delete"</summary>
            <div class="stack confirm">
                <p>{format!("Delete {what}? {consequence}")}</p>
                {children.into_inner()()}
            </div>
        </details>
    }
}
