//! `/settings/alerts`: where alerts go. Each channel with where it sends (never a secret), its
//! last delivery, a test alert, on/off and delete; below, a form for a webhook and one for email.
//! Every form is a plain post, so the page works without JavaScript.

use crate::api::alerts::{
    CreateAlertChannel, DeleteAlertChannel, SendTestAlert, SetAlertChannelEnabled, list_alert_channels,
};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs, reset_on_success};
use crate::components::form_action::FormAction;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::{toast_done, toast_results};
use crate::model::{ChannelView, SMTP_TLS_MODES};
use leptos::prelude::*;
use leptos_meta::Title;

/// The actions of the channel list, shared by every row.
#[derive(Clone, Copy)]
struct RowActions {
    test: FormAction<SendTestAlert>,
    toggle: FormAction<SetAlertChannelEnabled>,
    delete: FormAction<DeleteAlertChannel>,
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let create = FormAction::<CreateAlertChannel>::new();
    let actions = RowActions {
        test: FormAction::<SendTestAlert>::new(),
        toggle: FormAction::<SetAlertChannelEnabled>::new(),
        delete: FormAction::<DeleteAlertChannel>::new(),
    };
    toast_done(create, "Channel added.");
    toast_done(actions.toggle, "Channel changed.");
    toast_done(actions.delete, "Channel deleted.");
    toast_results(actions.test, |(delivered, detail)| {
        // The flag says "failed".
        if *delivered {
            (format!("Test alert delivered ({detail})."), false)
        } else {
            (format!("The test alert was not delivered: {detail}"), true)
        }
    });
    let channels =
        page_resource(finished_runs!(create, actions.test, actions.toggle, actions.delete), |_| list_alert_channels());
    let row_error = Signal::derive(move || {
        action_error(actions.toggle)
            .get()
            .or_else(|| action_error(actions.delete).get())
            .or_else(|| action_error(actions.test).get())
    });
    view! {
        <Title text="Alerts" />
        <h1>"Alerts"</h1>
        <p class="lead">
            "When a scheduled check finds a connection failing, recovered, with a changed host key or filling up, "
            "an alert goes to every channel that is on: once per change, not once per check."
        </p>
        <FormError error=row_error />
        <Transition fallback=|| {
            view! { <p>"Loading channels…"</p> }
        }>
            {move || {
                channels
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <EmptyState>
                                    "No channels yet: alerts are kept on the Health page only. Add one below."
                                </EmptyState>
                            }
                                .into_sync_any()
                        }
                        Ok(list) => view! { <ChannelTable list actions /> }.into_sync_any(),
                        Err(error) => view! { <LoadError error /> }.into_sync_any(),
                    })
            }}
        </Transition>
        <NewChannelForms create />
    }
}

fn last_delivery(channel: &ChannelView) -> AnyView {
    match (channel.last_delivery_ok, &channel.last_delivery_at) {
        (Some(ok), Some(at)) => {
            let (class, word) = if ok { ("badge badge-ok", "delivered") } else { ("badge badge-error", "failed") };
            let detail = channel.last_delivery_detail.clone().unwrap_or_default();
            view! {
                <span class=class>{word}</span>
                " "
                <time datetime=at.clone()>{at.clone()}</time>
                <br />
                <span class="hint">{detail}</span>
            }
            .into_any()
        }
        _ => view! { <span class="hint">"nothing sent yet"</span> }.into_any(),
    }
}

#[component]
fn ChannelTable(list: Vec<ChannelView>, actions: RowActions) -> impl IntoView {
    view! {
        <div class="table-wrap channel-list" tabindex="0" role="region" aria-label="Alert channels (scrolls sideways)">
            <table>
                <caption class="visually-hidden">"Alert channels"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Sends to"</th>
                        <th scope="col">"Gathering"</th>
                        <th scope="col">"Last delivery"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{list.into_iter().map(|channel| view! { <ChannelRow channel actions /> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
fn ChannelRow(channel: ChannelView, actions: RowActions) -> impl IntoView {
    let id = channel.id.to_string();
    let name = channel.name.clone();
    let kind = if channel.kind == "email" { "email" } else { "webhook" };
    let protection = match &channel.email {
        Some(email) => format!("SMTP {}:{} ({})", email.smtp_host, email.smtp_port, email.tls),
        None if channel.signed => "signed (X-Keyhaven-Signature-256)".into(),
        None => "not signed".into(),
    };
    let gathering = match channel.digest_minutes {
        0 => "each alert at once".to_string(),
        n => format!("digest every {n} min"),
    };
    let (toggle_to, toggle_label) =
        if channel.enabled { ("false", format!("Turn off {name}")) } else { ("true", format!("Turn on {name}")) };
    let test_label = format!("Send test alert to {name}");
    let delete_label = format!("Delete {name}");
    let (test_id, toggle_id) = (id.clone(), id.clone());
    view! {
        <tr>
            <th scope="row">
                {name} " " <span class="badge badge-muted">{kind}</span>
                {(!channel.enabled)
                    .then(|| {
                        view! {
                            " "
                            <span class="badge badge-warn">"off"</span>
                        }
                    })}
            </th>
            <td>
                <span class="mono">{channel.target.clone()}</span>
                <br />
                <span class="hint">{protection}</span>
            </td>
            <td>{gathering}</td>
            <td>{last_delivery(&channel)}</td>
            <td class="actions">
                <PostForm action=actions.test attr:class="inline-form">
                    <input type="hidden" name="id" value=test_id.clone() />
                    <button class="btn btn-small" type="submit">
                        {test_label.clone()}
                    </button>
                </PostForm>
                <PostForm action=actions.toggle attr:class="inline-form">
                    <input type="hidden" name="id" value=toggle_id.clone() />
                    <input type="hidden" name="enabled" value=toggle_to />
                    <button class="btn btn-small" type="submit">
                        {toggle_label.clone()}
                    </button>
                </PostForm>
                <PostForm action=actions.delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <button class="btn btn-small btn-danger" type="submit">
                        {delete_label.clone()}
                    </button>
                </PostForm>
            </td>
        </tr>
    }
}

/// How alerts are gathered, for both forms.
#[component]
fn DigestChoice(id: &'static str) -> impl IntoView {
    view! {
        <label for=id>"Send"</label>
        <select id=id name="digest_minutes">
            <option value="0" selected>
                "each alert at once"
            </option>
            <option value="15">"a digest every 15 minutes"</option>
            <option value="60">"a digest every hour"</option>
            <option value="1440">"a digest once a day"</option>
        </select>
    }
}

#[component]
fn NewChannelForms(create: FormAction<CreateAlertChannel>) -> impl IntoView {
    let error = action_error(create);
    view! {
        <FormError error />
        <section class="card" aria-labelledby="new-webhook">
            <h2 id="new-webhook">"New webhook"</h2>
            <p class="hint">
                "A JSON POST per alert. With a secret, the body is signed like GitHub's webhooks: "
                <code>"X-Keyhaven-Signature-256: sha256=<HMAC-SHA256 of the body>"</code>
                ". The URL and the secret are sealed and never shown again."
            </p>
            <PostForm action=create node_ref=reset_on_success(create) attr:class="form-grid">
                <input type="hidden" name="kind" value="webhook" />
                <label for="webhook-name">"Name"</label>
                <input id="webhook-name" name="name" required maxlength="100" placeholder="ops chat" />
                <label for="webhook-url">"URL"</label>
                <input
                    id="webhook-url"
                    name="url"
                    type="url"
                    required
                    maxlength="2000"
                    placeholder="https://hooks.example.com/…"
                />
                <label for="webhook-secret">"Secret (optional)"</label>
                <input id="webhook-secret" name="secret" type="password" autocomplete="off" maxlength="200" />
                <DigestChoice id="webhook-digest" />
                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>
                    "Add webhook"
                </button>
            </PostForm>
        </section>
        <section class="card" aria-labelledby="new-email">
            <h2 id="new-email">"New email channel"</h2>
            <p class="hint">
                "Plain-text mail through your SMTP server. The password is sealed and never shown again."
            </p>
            <PostForm action=create node_ref=reset_on_success(create) attr:class="form-grid">
                <input type="hidden" name="kind" value="email" />
                <label for="email-name">"Name"</label>
                <input id="email-name" name="name" required maxlength="100" placeholder="ops mail" />
                <label for="email-to">"Send to"</label>
                <input id="email-to" name="to" required placeholder="ops@example.com, oncall@example.com" />
                <label for="email-from">"From"</label>
                <input id="email-from" name="from" required placeholder="keyhaven@example.com" />
                <label for="email-host">"SMTP server"</label>
                <input id="email-host" name="smtp_host" required placeholder="smtp.example.com" />
                <label for="email-tls">"Encryption"</label>
                <select id="email-tls" name="tls">
                    {SMTP_TLS_MODES
                        .into_iter()
                        .map(|(value, label)| view! { <option value=value>{label}</option> })
                        .collect_view()}
                </select>
                <label for="email-port">"Port (optional)"</label>
                <input id="email-port" name="smtp_port" inputmode="numeric" placeholder="by encryption" />
                <label for="email-user">"Username (optional)"</label>
                <input id="email-user" name="username" autocomplete="off" />
                <label for="email-password">"Password (optional)"</label>
                <input id="email-password" name="password" type="password" autocomplete="new-password" />
                <DigestChoice id="email-digest" />
                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>
                    "Add email channel"
                </button>
            </PostForm>
        </section>
    }
}
