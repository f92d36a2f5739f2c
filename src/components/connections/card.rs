//! One connection as a card: status, last test, storage bar and (for admins) its actions. Every
//! action is a plain form, so the page works without JavaScript.

use crate::api::connections::{
    DeleteConnection, RedeployConnection, RefreshConnectionStorage, TestConnection, UpdateConnection,
};
use crate::components::connections::{ConnectionFields, FormValues, HourStrip};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::components::public_keys::ConfirmDelete;
use crate::components::settled::IntoSyncAny;
use crate::model::{ConnectionView, StageView, StorageView, browse_href, percent_text};
use leptos::prelude::*;

/// The page-level actions every card posts to (their results show in one place on the page).
#[derive(Clone, Copy)]
pub struct ConnectionActions {
    pub test: FormAction<TestConnection>,
    pub refresh: FormAction<RefreshConnectionStorage>,
    pub redeploy: FormAction<RedeployConnection>,
    pub update: FormAction<UpdateConnection>,
    pub delete: FormAction<DeleteConnection>,
}

fn status_class(status: &str) -> &'static str {
    match status {
        "connected" => "badge badge-ok",
        "failed" => "badge badge-error",
        _ => "badge badge-muted",
    }
}

#[component]
pub fn StorageBar(storage: StorageView) -> impl IntoView {
    let level = match storage.percent_used {
        p if p > 90.0 => "storage-bar storage-full",
        p if p > 75.0 => "storage-bar storage-warn",
        _ => "storage-bar",
    };
    let label = format!(
        "{} used of {} ({}%), {} free",
        storage.used_formatted,
        storage.total_formatted,
        percent_text(storage.percent_used),
        storage.available_formatted
    );
    view! {
        <div class="storage">
            <div class=level role="img" aria-label=label.clone()>
                <span style=format!("width: {}%", percent_text(storage.percent_used.min(100.0)))></span>
            </div>
            <p class="hint">{label} " · checked " {storage.last_check}</p>
        </div>
    }
}

/// The steps of a test or deploy, as a list with their outcome.
#[component]
pub fn StageList(stages: Vec<StageView>) -> impl IntoView {
    view! {
        <ol class="stages">
            {stages
                .into_iter()
                .map(|s| {
                    let text = if s.message.is_empty() {
                        s.name.replace('_', " ")
                    } else {
                        format!("{}: {}", s.name.replace('_', " "), s.message)
                    };
                    view! {
                        <li class=format!(
                            "stage stage-{}",
                            s.status,
                        )>{text} " " <span class="hint">{format!("({}, {} ms)", s.status, s.millis)}</span></li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[component]
/// `editing` shows the Edit form (`?edit=<id>` in the URL, so it works without JavaScript; a page
/// of 25 cards does not carry 25 hidden forms); `page` is where Edit, Cancel and Save lead back to.
pub fn ConnectionCard(
    connection: ConnectionView,
    admin: bool,
    actions: ConnectionActions,
    editing: bool,
    page: u64,
    /// The last hours of checks (see `encode_hours`).
    strip: Option<String>,
) -> impl IntoView {
    let c = connection;
    let title = format!("{}@{}:{}", c.username, c.host, c.port);
    let key = c.ssh_key_name.clone().unwrap_or_else(|| "SSH key deleted — deploy a new key to restore access".into());
    let mode = if c.use_sftp_mode { "SFTP" } else { "shell" };
    // The Edit form's values, only for the card being edited.
    let values = editing.then(|| FormValues::of(&c));
    let id = c.id;
    let pw_label = format!("Password for {title} (used once, never stored)");
    let delete_what = title.clone();
    let delete_label = format!("Delete {title}");
    let heading = title.clone();
    view! {
        <article class="card connection" aria-label=title id=format!("connection-{id}")>
            <header class="card-head">
                <h2>{heading}</h2>
                <span class=status_class(&c.status)>{c.status.clone()}</span>
            </header>
            <dl class="facts">
                <dt>"Key"</dt>
                <dd>{key}</dd>
                <dt>"Mode"</dt>
                <dd>{mode}</dd>
                <dt>"Backup path"</dt>
                <dd>{c.default_path.clone().unwrap_or_else(|| "login directory".into())}</dd>
                <dt>"Path prefix"</dt>
                <dd>{c.ssh_path_prefix.clone().unwrap_or_else(|| "none".into())}</dd>
                <dt>"Last test"</dt>
                <dd>{c.last_test.clone().unwrap_or_else(|| "never".into())}</dd>
                <dt>"Last success"</dt>
                <dd>{c.last_success.clone().unwrap_or_else(|| "never".into())}</dd>
            </dl>
            {c.error_message.clone().map(|e| view! { <p class="notice notice-error">{e}</p> })}
            {strip.map(|strip| view! { <HourStrip strip id /> })}
            {match c.storage.clone() {
                Some(storage) => view! { <StorageBar storage /> }.into_sync_any(),
                None => view! { <p class="hint">"Storage not measured yet."</p> }.into_sync_any(),
            }}
            {admin
                .then(|| {
                    view! {
                        <div class="row-actions">
                            <PostForm action=actions.test attr:class="inline-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <button class="btn btn-small" type="submit">
                                    "Test"
                                </button>
                            </PostForm>
                            <PostForm action=actions.refresh attr:class="inline-form">
                                <input type="hidden" name="id" value=id.to_string() />
                                <button class="btn btn-small" type="submit">
                                    "Refresh storage"
                                </button>
                            </PostForm>
                            <a class="btn btn-small" href=browse_href(id, "")>
                                "Browse"
                            </a>
                            <details class="inline-details">
                                <summary class="btn btn-small">"Redeploy"</summary>
                                <PostForm action=actions.redeploy attr:class="stack confirm">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <label for=format!("pw-{id}")>{pw_label}</label>
                                    <input
                                        id=format!("pw-{id}")
                                        name="password"
                                        type="password"
                                        required
                                        autocomplete="off"
                                    />
                                    <button class="btn btn-small btn-primary" type="submit">
                                        "Deploy the system key"
                                    </button>
                                </PostForm>
                            </details>
                            {if let Some(values) = values {
                                view! {
                                    <PostForm action=actions.update attr:class="stack confirm edit-form">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <input type="hidden" name="page" value=page.to_string() />
                                        <ConnectionFields values prefix=format!("edit-{id}") />
                                        <p class="hint">
                                            "Saving tests the connection and checks that the backup path exists on the host; a missing one opens Browse, which offers to create it."
                                        </p>
                                        <p class="row-actions">
                                            <button class="btn btn-small btn-primary" type="submit">
                                                "Save and test"
                                            </button>
                                            <a class="btn btn-small" href=format!("?page={page}#connection-{id}")>
                                                "Cancel"
                                            </a>
                                        </p>
                                    </PostForm>
                                }
                                    .into_sync_any()
                            } else {
                                view! {
                                    <a class="btn btn-small" href=format!("?page={page}&edit={id}#connection-{id}")>
                                        "Edit"
                                    </a>
                                }
                                    .into_sync_any()
                            }}
                            <ConfirmDelete
                                what=delete_what
                                consequence="Keyhaven forgets this connection; the key stays installed on the host."
                            >
                                <PostForm action=actions.delete attr:class="inline-form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <button class="btn btn-small btn-danger" type="submit">
                                        {delete_label}
                                    </button>
                                </PostForm>
                            </ConfirmDelete>
                        </div>
                    }
                })}
        </article>
    }
}
