//! An email delivery through `lettre`: STARTTLS or TLS from the start (the system's CA
//! certificates), or none for a relay on this machine; plain text, one message per delivery.

use super::form::Config;
use super::send::Outgoing;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

fn transport(config: &Config, password: Option<&str>) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = config.smtp_host.as_deref().unwrap_or_default();
    let builder = match config.tls.as_deref() {
        Some("tls") => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
        Some("none") => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
        _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
    }
    .map_err(|e| format!("cannot use SMTP server {host}: {e}"))?;
    let mut builder = builder.timeout(Some(TIMEOUT));
    if let Some(port) = config.smtp_port {
        builder = builder.port(port);
    }
    if let Some(user) = &config.username {
        builder = builder.credentials(Credentials::new(user.clone(), password.unwrap_or_default().to_string()));
    }
    Ok(builder.build())
}

/// Sends `message` to the channel's recipients; `Ok` with the server's answer.
pub async fn send(config: &Config, password: Option<&str>, message: &Outgoing) -> Result<String, String> {
    let from = config.from.as_deref().unwrap_or_default();
    let mut email = Message::builder()
        .from(from.parse().map_err(|_| format!("'{from}' is not an email address"))?)
        .subject(message.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    for to in &config.to {
        email = email.to(to.parse().map_err(|_| format!("'{to}' is not an email address"))?);
    }
    let email = email.body(message.text.clone()).map_err(|e| format!("cannot build the message: {e}"))?;
    let answer = transport(config, password)?.send(email).await.map_err(|e| {
        let text = e.to_string();
        if e.is_timeout() {
            format!("no answer within {} s", TIMEOUT.as_secs())
        } else {
            text.chars().take(200).collect()
        }
    })?;
    let line = answer.message().next().unwrap_or_default();
    Ok(format!("{} {line}", answer.code()).trim().to_string())
}
