//! Pieces of the inventory pages: the lines of an `authorized_keys`, each with whose key it lets in.

use crate::api::inventory::RemoveInventoryLine;
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::model::{InventoryLine, class_label};
use leptos::prelude::*;

/// Where a line's Remove posts (an admin on one connection's page).
#[derive(Clone, Copy)]
pub struct RemoveLine {
    pub connection_id: i32,
    pub action: FormAction<RemoveInventoryLine>,
}

/// The lines of a read (blank lines left out), under `caption` for screen readers and tests; with
/// `remove`, each key or invalid line can be removed from the host (after a confirmation).
#[component]
pub fn LinesTable(
    lines: Vec<InventoryLine>,
    #[prop(default = "Lines of authorized_keys")] caption: &'static str,
    #[prop(default = None)] remove: Option<RemoveLine>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Whose"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Options"</th>
                        <th scope="col">"Comment"</th>
                        {remove.map(|_| view! { <th scope="col">"Remove"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .filter(|l| l.kind != "blank")
                        .map(|line| view! { <LineRow line remove /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LineRow(line: InventoryLine, remove: Option<RemoveLine>) -> impl IntoView {
    let removable = remove.map(|r| (r, line.kind != "comment", line.number, line.text.clone()));
    let whose = match (line.kind.as_str(), line.class.as_deref()) {
        ("key", Some(class)) => {
            let badge = match class {
                "keyhaven" | "person" | "deploy_key" => "badge badge-ok",
                _ => "badge badge-warn",
            };
            let holder = line.holder.clone().map(|h| format!(" {h}"));
            view! {
                <span class=badge>{class_label(class)}</span>
                {holder}
            }
            .into_any()
        }
        ("comment", _) => view! { <span class="hint">"comment"</span> }.into_any(),
        _ => view! { <span class="badge badge-error">"invalid"</span> }.into_any(),
    };
    let key = match (&line.key_type, &line.fingerprint) {
        (Some(kind), Some(fingerprint)) => {
            let repeat = line.duplicate_of.map(|n| format!(" (repeats line {n})"));
            view! {
                {kind.clone()}
                <br />
                <code class="mono">{fingerprint.clone()}</code>
                {repeat}
            }
            .into_any()
        }
        _ => view! {
            <code class="mono">{line.text.clone()}</code>
            {line.note.clone().map(|n| format!(" — {n}"))}
        }
        .into_any(),
    };
    view! {
        <tr>
            <td>{line.number}</td>
            <td>{whose}</td>
            <td>{key}</td>
            <td>
                {line
                    .options
                    .into_iter()
                    .map(|o| {
                        view! {
                            <code class="mono">{o}</code>
                            " "
                        }
                    })
                    .collect_view()}
            </td>
            <td>{line.comment.unwrap_or_default()}</td>
            {removable
                .map(|(remove, allowed, number, text)| {
                    view! { <td>{allowed.then(|| view! { <RemoveControl remove number text /> })}</td> }
                })}
        </tr>
    }
}

/// "Remove…": the exact line, a confirmation, and the post.
#[component]
fn RemoveControl(remove: RemoveLine, number: usize, text: String) -> impl IntoView {
    let shown = text.clone();
    view! {
        <details class="inline-details">
            <summary class="btn btn-small btn-danger">{format!("Remove line {number}…")}</summary>
            <PostForm action=remove.action attr:class="stack confirm">
                <input type="hidden" name="id" value=remove.connection_id.to_string() />
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
