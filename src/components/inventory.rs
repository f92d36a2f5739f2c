//! Pieces of the inventory pages: the lines of an `authorized_keys`, each with whose key it lets in.

use crate::model::{InventoryLine, class_label};
use leptos::prelude::*;

/// The lines of a read (blank lines left out), under `caption` for screen readers and tests.
#[component]
pub fn LinesTable(
    lines: Vec<InventoryLine>,
    #[prop(default = "Lines of authorized_keys")] caption: &'static str,
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
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .filter(|l| l.kind != "blank")
                        .map(|line| view! { <LineRow line /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn LineRow(line: InventoryLine) -> impl IntoView {
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
        </tr>
    }
}
