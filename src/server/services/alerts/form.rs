//! A channel as the operator describes it, checked field by field: a bad field is a 422 that
//! names it, and an update starts from what is stored, so a missing field keeps its value.

use crate::server::error::ServiceError;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const WEBHOOK: &str = "webhook";
pub const EMAIL: &str = "email";
/// Alerts gathered into one message at most this long (a day).
pub const MAX_DIGEST_MINUTES: i32 = 1440;
const MAX_RECIPIENTS: usize = 20;

/// What a create or an update asks for; `None` keeps the stored value. For the secrets and the
/// username, `Some("")` clears them.
#[derive(Clone, Debug, Default)]
pub struct ChannelInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub enabled: Option<bool>,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i64>,
    pub tls: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: Option<String>,
    pub to: Option<Vec<String>>,
    pub digest_minutes: Option<i64>,
}

/// What may be shown, stored in clear (`alert_channels.config`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// A webhook's scheme, host and port; an email channel's recipients.
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Whether a webhook has a signing secret (the secret itself is sealed).
    #[serde(default)]
    pub signed: bool,
}

/// What is sealed with the master key (`alert_channels.sealed`).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Secrets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl Drop for Secrets {
    fn drop(&mut self) {
        for text in [&mut self.url, &mut self.secret, &mut self.password].into_iter().flatten() {
            drop(Zeroizing::new(std::mem::take(text)));
        }
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

/// A channel that passed every check.
#[derive(Debug)]
pub struct Checked {
    pub name: String,
    pub kind: &'static str,
    pub enabled: bool,
    pub config: Config,
    pub secrets: Secrets,
    pub digest_minutes: i32,
}

/// The stored channel an update starts from.
pub struct Stored {
    pub name: String,
    pub kind: String,
    pub enabled: bool,
    pub config: Config,
    pub secrets: Secrets,
    pub digest_minutes: i32,
}

fn text(value: &str, field: &'static str, max: usize) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(ServiceError::invalid(field, format!("{field} is longer than {max} characters.")));
    }
    if value.chars().any(char::is_control) {
        return Err(ServiceError::invalid(field, format!("{field} must not contain control characters.")));
    }
    Ok(value.to_string())
}

/// `Some("")` clears; `None` keeps `stored`.
fn optional(
    value: Option<&String>,
    stored: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    match value {
        None => Ok(stored),
        Some(v) => Ok(Some(text(v, field, max)?).filter(|v| !v.is_empty())),
    }
}

/// `https://hooks.example.com/…`: enough to recognise, nothing of a capability URL's path.
fn url_target(url: &str) -> Result<String, ServiceError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| ServiceError::invalid("url", "Enter the webhook's full URL, starting with https://."))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ServiceError::invalid("url", "A webhook URL starts with https:// (or http://)."));
    }
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| ServiceError::invalid("url", "The webhook URL has no host."))?;
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let rest = if parsed.path() == "/" && parsed.query().is_none() { "/" } else { "/…" };
    Ok(format!("{}://{host}{port}{rest}", parsed.scheme()))
}

fn mailbox(value: &str, field: &'static str) -> Result<String, ServiceError> {
    let value = text(value, field, 320)?;
    value
        .parse::<lettre::message::Mailbox>()
        .map(|_| value.clone())
        .map_err(|_| ServiceError::invalid(field, format!("'{value}' is not an email address.")))
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn email(input: &ChannelInput, stored: Option<&Stored>, secrets: &mut Secrets) -> Result<Config, ServiceError> {
    let old = stored.map(|s| s.config.clone()).unwrap_or_default();
    let host = match &input.smtp_host {
        Some(h) => text(h, "smtp_host", 253)?,
        None => old.smtp_host.clone().unwrap_or_default(),
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(ServiceError::invalid("smtp_host", "Enter the SMTP server's host name, e.g. smtp.example.com."));
    }
    let tls = match &input.tls {
        Some(t) => t.trim().to_ascii_lowercase(),
        None => old.tls.clone().unwrap_or_else(|| "starttls".into()),
    };
    let default_port = match tls.as_str() {
        "starttls" => 587,
        "tls" => 465,
        "none" => 25,
        _ => return Err(ServiceError::invalid("tls", "tls is one of starttls, tls or none.")),
    };
    let port = match input.smtp_port {
        Some(p) => u16::try_from(p)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ServiceError::invalid("smtp_port", "smtp_port is a port number from 1 to 65535."))?,
        None => old.smtp_port.unwrap_or(default_port),
    };
    let username = optional(input.username.as_ref(), old.username.clone(), "username", 200)?;
    if let Some(p) = &input.password {
        secrets.password = Some(p.clone()).filter(|p| !p.is_empty());
    }
    if secrets.password.as_ref().is_some_and(|p| p.len() > 500) {
        return Err(ServiceError::invalid("password", "password is longer than 500 characters."));
    }
    if secrets.password.is_some() && username.is_none() {
        return Err(ServiceError::invalid("username", "A password needs the username it belongs to."));
    }
    if tls == "none" && secrets.password.is_some() && !is_loopback(&host) {
        return Err(ServiceError::invalid(
            "tls",
            "Without TLS the password would cross the network in clear; choose starttls or tls.",
        ));
    }
    let from = match &input.from {
        Some(f) => mailbox(f, "from")?,
        None => old.from.clone().ok_or_else(|| ServiceError::invalid("from", "Enter the address alerts come from."))?,
    };
    let to = match &input.to {
        Some(list) => {
            let list: Vec<String> =
                list.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).map(str::to_string).collect();
            list.iter().map(|a| mailbox(a, "to")).collect::<Result<Vec<_>, _>>()?
        }
        None => old.to.clone(),
    };
    if to.is_empty() || to.len() > MAX_RECIPIENTS {
        return Err(ServiceError::invalid("to", format!("Enter 1 to {MAX_RECIPIENTS} addresses to send alerts to.")));
    }
    Ok(Config {
        target: to.join(", "),
        smtp_host: Some(host),
        smtp_port: Some(port),
        tls: Some(tls),
        username,
        from: Some(from),
        to,
        signed: false,
    })
}

/// Checks `input` over `stored` (an update) or over nothing (a create).
pub fn check(input: &ChannelInput, stored: Option<Stored>) -> Result<Checked, ServiceError> {
    let name = match (&input.name, &stored) {
        (Some(n), _) => text(n, "name", 100)?,
        (None, Some(s)) => s.name.clone(),
        (None, None) => String::new(),
    };
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Give the channel a name, e.g. 'ops mail'."));
    }
    let kind = match (&input.kind, &stored) {
        (Some(k), Some(s)) if !k.trim().eq_ignore_ascii_case(&s.kind) => {
            return Err(ServiceError::invalid("kind", "A channel's kind cannot change; add a new channel instead."));
        }
        (_, Some(s)) => s.kind.clone(),
        (Some(k), None) => k.trim().to_ascii_lowercase(),
        (None, None) => return Err(ServiceError::invalid("kind", "kind is required: webhook or email.")),
    };
    let digest = match input.digest_minutes {
        Some(d) => i32::try_from(d).ok().filter(|d| (0..=MAX_DIGEST_MINUTES).contains(d)).ok_or_else(|| {
            ServiceError::invalid("digest_minutes", "digest_minutes is 0 (each alert at once) to 1440.")
        })?,
        None => stored.as_ref().map_or(0, |s| s.digest_minutes),
    };
    let enabled = input.enabled.or(stored.as_ref().map(|s| s.enabled)).unwrap_or(true);
    let mut secrets = stored.as_ref().map(|s| s.secrets.clone()).unwrap_or_default();
    let (kind, config): (&'static str, Config) = match kind.as_str() {
        WEBHOOK => {
            if let Some(url) = &input.url {
                let url = text(url, "url", 2000)?;
                url_target(&url)?;
                secrets.url = Some(url);
            }
            let target = match &secrets.url {
                Some(url) => url_target(url)?,
                None => return Err(ServiceError::invalid("url", "Enter the webhook's URL.")),
            };
            if let Some(secret) = &input.secret {
                secrets.secret = Some(secret.clone()).filter(|s| !s.is_empty());
            }
            if secrets.secret.as_ref().is_some_and(|s| s.len() > 200) {
                return Err(ServiceError::invalid("secret", "secret is longer than 200 characters."));
            }
            let signed = secrets.secret.is_some();
            (WEBHOOK, Config { target, signed, ..Config::default() })
        }
        EMAIL => (EMAIL, email(input, stored.as_ref(), &mut secrets)?),
        _ => return Err(ServiceError::invalid("kind", "kind is webhook or email.")),
    };
    Ok(Checked { name, kind, enabled, config, secrets, digest_minutes: digest })
}
