//! Pieces of the inventory pages: the lines of an `authorized_keys`, each with whose key it lets in.

use super::inventory_actions::{AdoptControl, LineActions, RemoveControl};
use crate::model::{InventoryLine, class, class_label};
use leptos::prelude::*;

/// The lines of a read (blank lines left out), under `caption` for screen readers and tests; with
/// `actions`, each key or invalid line can be removed from the host (after a confirmation) and a
/// key nobody holds yet adopted (imported as a person's key, or noted).
#[component]
pub fn LinesTable(
    lines: Vec<InventoryLine>,
    #[prop(default = "Lines of authorized_keys")] caption: &'static str,
    #[prop(default = None)] actions: Option<LineActions>,
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
                        {actions.map(|_| view! { <th scope="col">"Actions"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .filter(|l| l.kind != "blank")
                        .map(|line| view! { <LineRow line actions /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LineRow(line: InventoryLine, actions: Option<LineActions>) -> impl IntoView {
    // A key someone already holds (ours, a person's, a deploy key) has nothing to adopt.
    let adoptable = line.kind == "key"
        && matches!(line.class.as_deref(), Some(class::UNKNOWN | class::OTHER_KEYHAVEN | class::NOTED));
    let controls = actions.map(|a| (a, line.kind != "comment", adoptable, line.number, line.text.clone()));
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
            {controls
                .map(|(actions, removable, adoptable, number, text)| {
                    let adopt_text = text.clone();
                    view! {
                        <td>
                            {adoptable.then(|| view! { <AdoptControl actions number text=adopt_text /> })}
                            {removable.then(|| view! { <RemoveControl actions number text /> })}
                        </td>
                    }
                })}
        </tr>
    }
}
