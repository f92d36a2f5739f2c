//! `/settings/users`: the accounts. Admins create, change role, disable, reset passwords and delete;
//! viewers see the list only (the server refuses their changes anyway).

use crate::api::accounts::{ChangeUserRole, CreateUser, DeleteUser, ResetUserPassword, SetUserActive, list_users};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::layout::{AdminFlag, MeResource, is_admin};
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::{IntoSyncAny, Settled};
use crate::components::toasts::toast_done;
use crate::components::when::When;
use crate::model::{Role, UserView};
use leptos::prelude::*;
use leptos_meta::Title;

/// The row actions, shared by every row so one list refresh follows any of them.
#[derive(Clone, Copy)]
struct RowActions {
    role: FormAction<ChangeUserRole>,
    active: FormAction<SetUserActive>,
    password: FormAction<ResetUserPassword>,
    delete: FormAction<DeleteUser>,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let admin = is_admin(expect_context::<MeResource>());
    let create = FormAction::<CreateUser>::new();
    let rows = RowActions {
        role: FormAction::new(),
        active: FormAction::new(),
        password: FormAction::new(),
        delete: FormAction::new(),
    };
    toast_done(create, "User created.");
    toast_done(rows.role, "Role changed.");
    toast_done(rows.active, "Account status changed.");
    toast_done(rows.password, "Password changed; the user's sessions ended.");
    toast_done(rows.delete, "User deleted.");
    let users =
        page_resource(finished_runs!(create, rows.role, rows.active, rows.password, rows.delete), |_| list_users());
    let row_error = Signal::derive(move || {
        action_error(rows.role)
            .get()
            .or_else(|| action_error(rows.active).get())
            .or_else(|| action_error(rows.password).get())
            .or_else(|| action_error(rows.delete).get())
    });
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <Transition fallback=|| ()>
            <When when=move || admin.get()>
                <CreateUserForm create />
            </When>
        </Transition>
        <FormError error=row_error />
        <Transition fallback=|| {
            view! { <p>"Loading users…"</p> }
        }>
            {move || {
                users
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! { <EmptyState>"No users yet."</EmptyState> }.into_sync_any()
                        }
                        Ok(list) => view! { <UserTable list admin rows /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn CreateUserForm(create: FormAction<CreateUser>) -> impl IntoView {
    let error = action_error(create);
    view! {
        <section class="card">
            <h2>"Add a user"</h2>
            <PostForm action=create attr:class="form-grid">
                <label for="new-username">"Username"</label>
                <input id="new-username" name="username" required maxlength="64" autocomplete="off" />
                <label for="new-password">"Password"</label>
                <input
                    id="new-password"
                    name="password"
                    type="password"
                    required
                    minlength="10"
                    autocomplete="new-password"
                />
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="viewer" selected>
                        "Viewer: looks, changes nothing"
                    </option>
                    <option value="admin">"Admin: manages everything"</option>
                </select>
                <FormError error />
                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>
                    "Add user"
                </button>
            </PostForm>
        </section>
    }
}

#[component]
fn UserTable(list: Vec<UserView>, admin: AdminFlag, rows: RowActions) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Users (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Accounts"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Username"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Last sign-in"</th>
                        <When when=move || admin.get()>
                            <th scope="col">"Actions"</th>
                        </When>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|user| Settled(view! { <UserRow user admin rows /> })).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UserRow(user: UserView, admin: AdminFlag, rows: RowActions) -> impl IntoView {
    let uid = user.id;
    let other_role = if user.role == Role::Admin { Role::Viewer } else { Role::Admin };
    let (toggle_value, toggle_label) = if user.is_active { ("false", "Disable") } else { ("true", "Enable") };
    let last_login = user.last_login_at.clone().unwrap_or_else(|| "never".into());
    let name = user.username.clone();
    let actions = move || {
        let name = name.clone();
        let (pw_id, pw_label) = (format!("pw-{uid}"), format!("New password for {name}"));
        let confirm = format!("Delete {name}? Their API tokens stop working.");
        view! {
            <td class="row-actions">
                <PostForm action=rows.role attr:class="inline-form">
                    <input type="hidden" name="id" value=uid.to_string() />
                    <input type="hidden" name="role" value=other_role.as_str() />
                    <button class="btn btn-small" type="submit">
                        {format!("Make {other_role}")}
                    </button>
                </PostForm>
                <PostForm action=rows.active attr:class="inline-form">
                    <input type="hidden" name="id" value=uid.to_string() />
                    <input type="hidden" name="active" value=toggle_value />
                    <button class="btn btn-small" type="submit">
                        {toggle_label}
                    </button>
                </PostForm>
                <details class="inline-details">
                    <summary class="btn btn-small">"Reset password"</summary>
                    <PostForm action=rows.password attr:class="inline-form">
                        <input type="hidden" name="id" value=uid.to_string() />
                        <label for=pw_id.clone() class="visually-hidden">
                            {pw_label}
                        </label>
                        <input
                            id=pw_id
                            name="password"
                            type="password"
                            minlength="10"
                            required
                            autocomplete="new-password"
                        />
                        <button class="btn btn-small" type="submit">
                            "Set password"
                        </button>
                    </PostForm>
                </details>
                <details class="inline-details">
                    <summary class="btn btn-small btn-danger">"Delete"</summary>
                    <PostForm action=rows.delete attr:class="inline-form confirm">
                        <input type="hidden" name="id" value=uid.to_string() />
                        <span>{confirm}</span>
                        <button class="btn btn-small btn-danger" type="submit">
                            "Delete user"
                        </button>
                    </PostForm>
                </details>
            </td>
        }
    };
    view! {
        <tr>
            <th scope="row">{user.username.clone()}</th>
            <td>
                <span class="badge">{user.role.as_str()}</span>
            </td>
            <td>{if user.is_active { "active" } else { "disabled" }}</td>
            <td>{last_login}</td>
            <When when=move || admin.get()>{actions.clone()}</When>
        </tr>
    }
}
