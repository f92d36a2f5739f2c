//! The forms of Settings → Alerts: a new webhook, a new email channel, and each channel's Edit
//! form. Plain posts, so they work without JavaScript; secrets are never sent to the page.

use crate::api::alerts::{CreateAlertChannel, UpdateAlertChannel};
use crate::components::feedback::{FormError, action_error, reset_on_success};
use crate::components::form_action::FormAction;
use crate::components::post_form::PostForm;
use crate::model::{ChannelView, DeliveryView, SMTP_TLS_MODES};
use leptos::prelude::*;

const DIGESTS: [(i32, &str); 4] = [
    (0, "each alert at once"),
    (15, "a digest every 15 minutes"),
    (60, "a digest every hour"),
    (1440, "a digest once a day"),
];

/// How alerts are gathered, for every form.
#[component]
pub fn DigestChoice(#[prop(into)] id: String, #[prop(optional)] current: i32) -> impl IntoView {
    view! {
        <label for=id.clone()>"Send"</label>
        <select id=id name="digest_minutes">
            {DIGESTS
                .into_iter()
                .map(|(minutes, label)| {
                    view! {
                        <option value=minutes.to_string() selected=minutes == current>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// A channel's Edit form, folded: secrets are never sent to the page, so blank keeps them.
#[component]
pub fn EditChannel(channel: ChannelView, edit: FormAction<UpdateAlertChannel>) -> impl IntoView {
    let id = channel.id;
    let field = move |name: &str| format!("edit-{id}-{name}");
    let fields = match channel.email.clone() {
        None => view! {
            <label for=field("url")>"New URL (blank keeps it)"</label>
            <input id=field("url") name="url" type="url" maxlength="2000" />
            <label for=field("secret")>"New secret (blank keeps it)"</label>
            <input id=field("secret") name="secret" type="password" autocomplete="off" maxlength="200" />
            <label class="check">
                <input type="checkbox" name="clear_secret" />
                " Remove the secret (send unsigned)"
            </label>
        }
        .into_any(),
        Some(email) => view! {
            <label for=field("to")>"Send to"</label>
            <input id=field("to") name="to" required value=email.to.join(", ") />
            <label for=field("from")>"From"</label>
            <input id=field("from") name="from" required value=email.from.clone() />
            <label for=field("host")>"SMTP server"</label>
            <input id=field("host") name="smtp_host" required value=email.smtp_host.clone() />
            <label for=field("tls")>"Encryption"</label>
            <select id=field("tls") name="tls">
                {SMTP_TLS_MODES
                    .into_iter()
                    .map(|(value, label)| {
                        view! {
                            <option value=value selected=value == email.tls>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for=field("port")>"Port"</label>
            <input id=field("port") name="smtp_port" inputmode="numeric" value=email.smtp_port.to_string() />
            <label for=field("user")>"Username"</label>
            <input
                id=field("user")
                name="username"
                autocomplete="off"
                value=email.username.clone().unwrap_or_default()
            />
            <label for=field("password")>"New password (blank keeps it)"</label>
            <input id=field("password") name="password" type="password" autocomplete="new-password" />
            <label class="check">
                <input type="checkbox" name="clear_password" />
                " Remove the password"
            </label>
        }
        .into_any(),
    };
    view! {
        <details class="card">
            <summary>{format!("Edit {}", channel.name)}</summary>
            <PostForm action=edit attr:class="form-grid">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="kind" value=channel.kind.clone() />
                <label for=field("name")>"Name"</label>
                <input id=field("name") name="name" required maxlength="100" value=channel.name.clone() />
                {fields}
                <DigestChoice id=field("digest") current=channel.digest_minutes />
                <button class="btn btn-primary" type="submit">
                    {format!("Save {}", channel.name)}
                </button>
            </PostForm>
        </details>
    }
}

#[component]
pub fn NewChannelForms(create: FormAction<CreateAlertChannel>) -> impl IntoView {
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

/// A channel's newest deliveries, folded: when, what, how many attempts, and the last answer.
#[component]
pub fn DeliveryHistory(name: String, recent: Vec<DeliveryView>, total: u64) -> impl IntoView {
    let caption = format!("Deliveries to {name}, newest first");
    view! {
        <details class="card">
            <summary>{format!("Deliveries to {name} ({total})")}</summary>
            {if recent.is_empty() {
                view! { <p class="hint">"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <caption class="visually-hidden">{caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"What"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Attempts"</th>
                                <th scope="col">"Answer"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {recent
                                .into_iter()
                                .map(|d| {
                                    let what = match (d.alert_id, d.kind.as_deref()) {
                                        (Some(id), _) => format!("alert {id}"),
                                        (None, Some(kind)) => crate::model::alert_label(kind).to_string(),
                                        (None, None) => "test alert".to_string(),
                                    };
                                    view! {
                                        <tr>
                                            <td>
                                                <time datetime=d.created_at.clone()>{d.created_at.clone()}</time>
                                            </td>
                                            <td>{what}</td>
                                            <td>{d.status}</td>
                                            <td>{d.attempts}</td>
                                            <td>{d.detail.unwrap_or_default()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </details>
    }
}
