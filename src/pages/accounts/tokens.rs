//! `/settings/tokens`: personal access tokens. A new token is shown once, then only its prefix.

use crate::api::accounts::{CreateToken, RevokeToken, list_tokens, take_new_token};
use crate::components::copy_button::CopyButton;
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::toast_done;
use crate::model::{CreatedToken, Scope, TokenView};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = FormAction::<CreateToken>::new();
    let revoke = FormAction::<RevokeToken>::new();
    toast_done(revoke, "The token no longer works.");
    let tokens = page_resource(finished_runs!(create, revoke), |_| list_tokens());
    // Without JavaScript the new token comes back through the session, once.
    let flashed = page_resource(|| (), |_| take_new_token());
    let new_token = Signal::derive(move || {
        create.value().get().and_then(Result::ok).or_else(|| flashed.get().and_then(Result::ok).flatten())
    });
    let create_error = action_error(create);
    let revoke_error = action_error(revoke);
    view! {
        <Title text="API tokens" />
        <h1>"API tokens"</h1>
        <p class="lead">
            "Personal access tokens let scripts call Keyhaven's API with " <code>"Authorization: Bearer <token>"</code>
            ". A token never grants more than your role."
        </p>
        <Transition fallback=|| ()>
            {move || new_token.get().map(|token| view! { <NewTokenNotice token /> })}
        </Transition>
        <section class="card">
            <h2>"New token"</h2>
            <PostForm action=create attr:class="form-grid">
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" required maxlength="100" placeholder="backup script" />
                <label for="token-expiry">"Expires"</label>
                <select id="token-expiry" name="expires_in_days">
                    <option value="7">"in 7 days"</option>
                    <option value="30" selected>
                        "in 30 days"
                    </option>
                    <option value="90">"in 90 days"</option>
                    <option value="365">"in a year"</option>
                    <option value="never">"never"</option>
                </select>
                <fieldset class="scopes">
                    <legend>"Scopes"</legend>
                    {Scope::ALL
                        .into_iter()
                        .map(|scope| {
                            let field = scope.as_str().replace(':', "_");
                            view! {
                                <label class="check">
                                    <input type="checkbox" name=field />
                                    <code>{scope.as_str()}</code>
                                    " "
                                    <span class="hint">{scope.describe()}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <FormError error=create_error />
                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>
                    "Create token"
                </button>
            </PostForm>
        </section>
        <FormError error=revoke_error />
        <Transition fallback=|| {
            view! { <p>"Loading tokens…"</p> }
        }>
            {move || {
                tokens
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState>"You have no tokens. Create one above for each script or tool."</EmptyState>
                            }
                                .into_sync_any()
                        }
                        Ok(list) => view! { <TokenTable list revoke /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn NewTokenNotice(token: CreatedToken) -> impl IntoView {
    view! {
        <div class="notice notice-success" role="status">
            <p>
                <strong>{format!("Token '{}' created.", token.info.name)}</strong>
                " Copy it now: it will not be shown again."
            </p>
            <label for="new-token-value">"Token"</label>
            <input id="new-token-value" class="mono" readonly value=token.token.clone() />
            <CopyButton text=token.token.clone() label="Copy token" />
        </div>
    }
}

#[component]
fn TokenTable(list: Vec<TokenView>, revoke: FormAction<RevokeToken>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="API tokens (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Your API tokens"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Token"</th>
                        <th scope="col">"Scopes"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|t| {
                            let scopes = t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
                            let revoke_label = format!("Revoke {}", t.name);
                            let status = if t.revoked {
                                view! { <span class="badge badge-muted">"revoked"</span> }.into_sync_any()
                            } else {
                                view! {
                                    <PostForm action=revoke attr:class="inline-form">
                                        <input type="hidden" name="id" value=t.id.to_string() />
                                        <button class="btn btn-small btn-danger" type="submit">
                                            {revoke_label}
                                        </button>
                                    </PostForm>
                                }
                                    .into_sync_any()
                            };
                            view! {
                                <tr>
                                    <th scope="row">
                                        {t.name.clone()}
                                        {(t.kind == "login")
                                            .then(|| {
                                                view! {
                                                    " "
                                                    <span
                                                        class="badge badge-muted"
                                                        title="Made by an API client signing in (POST /api/auth/login)"
                                                    >
                                                        "login"
                                                    </span>
                                                }
                                            })}
                                    </th>
                                    <td class="mono">{format!("{}…", t.token_prefix)}</td>
                                    <td>{scopes}</td>
                                    <td>{t.expires_at.clone().unwrap_or_else(|| "never".into())}</td>
                                    <td>{t.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
                                    <td>{status}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
