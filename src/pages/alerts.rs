//! `/settings/alerts`: where alerts go. Each channel with where it sends (never a secret), its
//! last delivery, a test alert, on/off and delete; below, a form for a webhook and one for email.
//! Every form is a plain post, so the page works without JavaScript.

use crate::api::alerts::{
    CreateAlertChannel, DeleteAlertChannel, SendTestAlert, SetAlertChannelEnabled, UpdateAlertChannel,
    list_alert_channels,
};
use crate::components::alerts::{DeliveryHistory, EditChannel, NewChannelForms};
use crate::components::feedback::{EmptyState, FormError, LoadError, action_error, finished_runs};
use crate::components::form_action::FormAction;
use crate::components::page_resource::page_resource;
use crate::components::post_form::PostForm;
use crate::components::settled::IntoSyncAny;
use crate::components::toasts::{toast_done, toast_results};
use crate::model::ChannelView;
use leptos::prelude::*;
use leptos_meta::Title;

/// The actions of the channel list, shared by every row.
#[derive(Clone, Copy)]
struct RowActions {
    test: FormAction<SendTestAlert>,
    toggle: FormAction<SetAlertChannelEnabled>,
    delete: FormAction<DeleteAlertChannel>,
    edit: FormAction<UpdateAlertChannel>,
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let create = FormAction::<CreateAlertChannel>::new();
    let actions = RowActions {
        test: FormAction::<SendTestAlert>::new(),
        toggle: FormAction::<SetAlertChannelEnabled>::new(),
        delete: FormAction::<DeleteAlertChannel>::new(),
        edit: FormAction::<UpdateAlertChannel>::new(),
    };
    toast_done(actions.edit, "Channel saved.");
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
        page_resource(finished_runs!(create, actions.test, actions.toggle, actions.delete, actions.edit), |_| {
            list_alert_channels()
        });
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
                        Ok(listed) => {
                            let list = listed.iter().map(|c| c.channel.clone()).collect();
                            view! {
                                <ChannelTable list actions />
                                {listed
                                    .into_iter()
                                    .map(|c| {
                                        view! {
                                            <EditChannel channel=c.channel.clone() edit=actions.edit />
                                            <DeliveryHistory name=c.channel.name recent=c.recent total=c.total />
                                        }
                                    })
                                    .collect_view()}
                            }
                                .into_sync_any()
                        }
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
