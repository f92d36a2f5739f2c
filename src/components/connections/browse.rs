//! The Browse panel: one directory of a connection's host over SFTP, to pick the backup path.
//! Folders are links (`?browse=<id>&path=…`), and New folder and "Use as backup path" are plain
//! forms, so it works without JavaScript.

use crate::api::connections::{CreateConnectionFolder, CreateConnectionPath, UseBackupPath};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::model::{RemoteEntry, RemoteListing, browse_href, path_steps};
use leptos::prelude::*;

/// The Browse panel's two forms, made once by the page.
#[derive(Clone, Copy)]
pub struct BrowseActions {
    pub create_folder: FormAction<CreateConnectionFolder>,
    /// Creates a missing path with the folders above it.
    pub create_path: FormAction<CreateConnectionPath>,
    pub use_path: FormAction<UseBackupPath>,
}

/// A hidden `id` and `path`, which both forms carry.
#[component]
fn Target(id: i32, path: String) -> impl IntoView {
    view! {
        <input type="hidden" name="id" value=id.to_string() />
        <input type="hidden" name="path" value=path />
    }
}

#[component]
fn EntryRow(id: i32, entry: RemoteEntry) -> impl IntoView {
    let name = if entry.is_directory {
        let href = browse_href(id, &entry.path);
        view! { <a href=href>{format!("{}/", entry.name)}</a> }.into_any()
    } else {
        view! { <span>{entry.name}</span> }.into_any()
    };
    view! {
        <tr>
            <td>
                {name}
                {entry
                    .is_borg_repo
                    .then(|| {
                        view! {
                            " "
                            <span class="badge badge-ok">"borg repository"</span>
                        }
                    })}
            </td>
            <td>{entry.size}</td>
            <td>{entry.modified.unwrap_or_default()}</td>
            <td>
                <code>{entry.permissions}</code>
            </td>
        </tr>
    }
}

#[component]
pub fn BrowsePanel(listing: RemoteListing, actions: BrowseActions) -> impl IntoView {
    let RemoteListing { connection_id: id, connection, current_path: current, .. } = listing.clone();
    let steps = path_steps(&current);
    let last = steps.len() - 1;
    let is_backup = listing.backup_path.as_deref() == Some(current.as_str());
    let missing = listing.missing.clone();
    let folder_label = format!("New folder in {current}");
    let caption = format!("Contents of {current}");
    view! {
        <section class="card browse" id="browse" aria-labelledby="browse-title">
            <header class="card-head">
                <h2 id="browse-title">{format!("Browse {connection}")}</h2>
                <a class="btn btn-small" href=format!("/settings/connections#connection-{id}")>
                    "Close"
                </a>
            </header>
            <nav aria-label="Folder path">
                <ol class="breadcrumbs">
                    {steps
                        .into_iter()
                        .enumerate()
                        .map(|(i, (name, path))| {
                            let current = (i == last).then_some("page");
                            view! {
                                <li>
                                    <a href=browse_href(id, &path) aria-current=current>
                                        {name}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </nav>
            {missing
                .map(|missing| {
                    view! {
                        <div class="notice notice-error" role="status">
                            <p>
                                {format!("{missing} does not exist on the host; this is the nearest folder above it.")}
                            </p>
                            <PostForm action=actions.create_path attr:class="inline-form">
                                <Target id path=missing.clone() />
                                <button class="btn btn-small btn-primary" type="submit">
                                    {format!("Create {missing}")}
                                </button>
                            </PostForm>
                        </div>
                    }
                })}
            <div class="row-actions">
                {
                    let current = current.clone();
                    if is_backup {
                        view! { <p class="hint">"This folder is the connection's backup path."</p> }.into_any()
                    } else {
                        view! {
                            <PostForm action=actions.use_path attr:class="inline-form">
                                <Target id path=current.clone() />
                                <button class="btn btn-small btn-primary" type="submit">
                                    {format!("Use {current} as backup path")}
                                </button>
                            </PostForm>
                        }
                            .into_any()
                    }
                } <PostForm action=actions.create_folder attr:class="inline-form">
                    <Target id path=current.clone() />
                    <label for="new-folder">{folder_label}</label>
                    <input id="new-folder" name="folder_name" required maxlength="255" autocomplete="off" />
                    <button class="btn btn-small" type="submit">
                        "Create folder"
                    </button>
                </PostForm>
            </div>
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"Modified"</th>
                            <th scope="col">"Permissions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {listing
                            .parent_path
                            .map(|parent| {
                                view! {
                                    <tr>
                                        <td colspan="4">
                                            <a href=browse_href(id, &parent)>".. (parent folder)"</a>
                                        </td>
                                    </tr>
                                }
                            })}
                        {listing.entries.into_iter().map(|entry| view! { <EntryRow id entry /> }).collect_view()}
                    </tbody>
                </table>
            </div>
            {listing
                .truncated
                .then(|| view! { <p class="hint">"This folder holds more entries than one listing shows."</p> })}
        </section>
    }
}
