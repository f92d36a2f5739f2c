//! A webhook delivery: a JSON POST, signed as GitHub signs its webhooks — `X-Keyhaven-Signature-256:
//! sha256=<hex HMAC-SHA256 of the body with the channel's secret>` — so a receiver can tell it is
//! Keyhaven's. Redirects are not followed (the URL the operator entered is the one that gets the
//! alert), and errors never carry the URL, whose path may be a capability.

use super::send::Outgoing;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// How long one attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The client every delivery shares.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Keyhaven/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {}", e.without_url()))
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn why(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if err.is_connect() {
        "could not connect".into()
    } else {
        // Without the URL: a Slack-style URL is a secret.
        let mut text = String::new();
        let mut source: Option<&dyn std::error::Error> = Some(err);
        while let Some(e) = source {
            text = e.to_string();
            source = e.source();
        }
        text.chars().take(200).collect()
    }
}

/// POSTs `message` to `url`; `Ok` with `HTTP <status>` on any 2xx answer.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    secret: Option<&str>,
    message: &Outgoing,
) -> Result<String, String> {
    let body = message.body().to_string().into_bytes();
    let mut request = http
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Keyhaven-Event", if message.test { "test" } else { "alert" })
        .header("X-Keyhaven-Delivery", message.delivery_id.to_string());
    if let Some(secret) = secret {
        request = request.header("X-Keyhaven-Signature-256", signature(secret, &body));
    }
    match request.body(body).send().await {
        Ok(answer) if answer.status().is_success() => Ok(format!("HTTP {}", answer.status().as_u16())),
        Ok(answer) => Err(format!("HTTP {}", answer.status().as_u16())),
        Err(err) => Err(why(&err.without_url())),
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_is_the_hmac_sha256_of_the_body_in_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
