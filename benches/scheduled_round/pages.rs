//! Pages at a steady rate, as operators load them, with each request's latency counted from the
//! moment it was due (open loop): a slow answer cannot hide the requests that would have waited
//! behind it, as it does when a closed-loop client such as wrk slows down with the server. Steady,
//! not flat out, because the question is what an operator waits while a round runs, not how many
//! pages two cores can render next to 32 SSH handshakes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

/// The Dashboard and the Connections page (its first 25 cards of 1,000).
pub const PAGES: [&str; 2] = ["/", "/settings/connections"];

#[derive(Default)]
pub struct Latencies {
    samples: Vec<Duration>,
    pub failed: usize,
}

impl Latencies {
    pub fn count(&self) -> usize {
        self.samples.len()
    }

    /// The `q` quantile (0–1) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let Some(last) = sorted.len().checked_sub(1) else { return f64::NAN };
        let at = ((q * sorted.len() as f64).ceil() as usize).saturating_sub(1).min(last);
        sorted[at].as_secs_f64() * 1000.0
    }
}

/// Loads `PAGES` in turn, `per_second` requests a second, until `stop` is set; a page counts as
/// failed unless it answers 200 with a body.
pub async fn load(
    http: reqwest::Client,
    base: String,
    cookie: String,
    per_second: u32,
    stop: Arc<AtomicBool>,
) -> Latencies {
    let mut every = tokio::time::interval(Duration::from_secs(1) / per_second);
    every.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut requests = JoinSet::new();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let due: Instant = every.tick().await.into_std();
        let url = format!("{base}{}", PAGES[n % PAGES.len()]);
        n += 1;
        let (http, cookie) = (http.clone(), cookie.clone());
        requests.spawn(async move {
            let res = http.get(url).header("cookie", cookie).send().await.ok()?;
            let ok = res.status() == reqwest::StatusCode::OK;
            let body = res.bytes().await.ok()?;
            (ok && !body.is_empty()).then(|| due.elapsed())
        });
    }
    let mut out = Latencies::default();
    while let Some(done) = requests.join_next().await {
        match done.ok().flatten() {
            Some(took) => out.samples.push(took),
            None => out.failed += 1,
        }
    }
    out
}

/// Runs `load` for `seconds`.
pub async fn load_for(http: reqwest::Client, base: String, cookie: String, per_second: u32, seconds: u64) -> Latencies {
    let stop = Arc::new(AtomicBool::new(false));
    let running = tokio::spawn(load(http, base, cookie, per_second, stop.clone()));
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    running.await.unwrap_or_default()
}
