//! The keys a scanned host offers, each with fingerprint and randomart and (for admins) a Trust
//! button; a CHANGED host shows the trusted fingerprints beside them and an explicit replace.
//! Used by Known hosts and by the setup wizard.

use crate::api::hosts::{ReplaceKnownHost, TrustKnownHost};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::model::ScanView;
use leptos::prelude::*;

#[component]
pub fn OfferedKeys(
    scan: ScanView,
    admin: bool,
    trust: FormAction<TrustKnownHost>,
    replace: FormAction<ReplaceKnownHost>,
) -> impl IntoView {
    let status = scan.result.status.clone();
    let replace_id = scan.result.trusted.first().map(|t| t.id);
    let keys = scan.result.keys.clone().into_iter().zip(scan.randomart.clone());
    view! {
        {(status == "changed")
            .then(|| {
                view! {
                    <div class="notice notice-error" role="alert">
                        <p>
                            <strong>"Host key CHANGED."</strong>
                            " This host offers none of the keys trusted for it. Someone may be intercepting the connection, or the host was reinstalled. Confirm with its administrator before replacing."
                        </p>
                        <p>
                            "Trusted: "
                            {scan
                                .result
                                .trusted
                                .iter()
                                .map(|t| format!("{} {}", t.key_type, t.fingerprint))
                                .collect::<Vec<_>>()
                                .join(", ")}
                        </p>
                    </div>
                }
            })}
        <p>
            "Status: "
            <span class=if status == "trusted" {
                "badge badge-ok"
            } else if status == "changed" {
                "badge badge-error"
            } else {
                "badge badge-muted"
            }>{status.clone()}</span>
        </p>
        <div class="cards">
            {keys
                .map(|(key, art)| {
                    let (host, port, line) = (scan.host.clone(), scan.port, key.public_key.clone());
                    let replace_line = line.clone();
                    let trust_label = format!("Trust {} key", key.key_type);
                    let replace_label = format!("Replace trusted keys with this {} key", key.key_type);
                    let trusted = scan.result.trusted.iter().any(|t| t.public_key == key.public_key);
                    view! {
                        <article class="card" aria-label=format!("{} host key", key.key_type)>
                            <h3>{key.key_type.clone()}</h3>
                            <p class="mono">{key.fingerprint.clone()}</p>
                            <pre class="randomart" aria-hidden="true">
                                {art}
                            </pre>
                            {(admin && !trusted && status != "changed")
                                .then(|| {
                                    view! {
                                        <PostForm action=trust attr:class="inline-form">
                                            <input type="hidden" name="host" value=host.clone() />
                                            <input type="hidden" name="port" value=port.to_string() />
                                            <input type="hidden" name="public_key" value=line.clone() />
                                            <button class="btn btn-small btn-primary" type="submit">
                                                {trust_label}
                                            </button>
                                        </PostForm>
                                    }
                                })}
                            {(admin && status == "changed")
                                .then(|| {
                                    replace_id
                                        .map(|id| {
                                            view! {
                                                <PostForm action=replace attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id.to_string() />
                                                    <input type="hidden" name="public_key" value=replace_line />
                                                    <button class="btn btn-small btn-danger" type="submit">
                                                        {replace_label}
                                                    </button>
                                                </PostForm>
                                            }
                                        })
                                })}
                            {trusted.then(|| view! { <p class="badge badge-ok">"trusted"</p> })}
                        </article>
                    }
                })
                .collect_view()}
        </div>
    }
}
