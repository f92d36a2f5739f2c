//! `GET /metrics` in the Prometheus text format, through the `prometheus` crate. Request latency
//! is measured live (a histogram by route template, method and status class — templates, not
//! paths, so the series stay few); everything else is read at scrape time from the database and
//! the SSH gate, so it is right after a restart and costs nothing between scrapes.

use crate::server::error::ServiceError;
use crate::server::services::{alerts, health};
use crate::server::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use std::time::Instant;

/// What lives between scrapes: the request latency histogram.
#[derive(Clone, Debug)]
pub struct HttpMetrics {
    registry: Registry,
    /// `None` only if the histogram could not be made (then requests are not timed).
    latency: Option<HistogramVec>,
}

fn internal(e: prometheus::Error) -> ServiceError {
    ServiceError::Internal(format!("metrics: {e}"))
}

impl Default for HttpMetrics {
    fn default() -> Self {
        HttpMetrics::new().unwrap_or_else(|err| {
            tracing::error!(error = %err, "request latency is not measured");
            HttpMetrics { registry: Registry::new(), latency: None }
        })
    }
}

impl HttpMetrics {
    fn new() -> Result<HttpMetrics, ServiceError> {
        let registry = Registry::new();
        let latency = HistogramVec::new(
            HistogramOpts::new("keyhaven_http_request_duration_seconds", "Time to answer an HTTP request.")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
            &["route", "method", "status"],
        )
        .map_err(internal)?;
        registry.register(Box::new(latency.clone())).map_err(internal)?;
        Ok(HttpMetrics { registry, latency: Some(latency) })
    }

    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        if let Some(latency) = &self.latency {
            let class = format!("{}xx", status / 100);
            latency.with_label_values(&[route, method, class.as_str()]).observe(seconds);
        }
    }
}

/// The middleware that times every request (added with `Router::layer`, so after routing: the
/// route's template is known).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(&route, &method, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

fn gauge(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> Result<GaugeVec, ServiceError> {
    let vec = GaugeVec::new(Opts::new(name, help), labels).map_err(internal)?;
    registry.register(Box::new(vec.clone())).map_err(internal)?;
    Ok(vec)
}

/// The whole exposition: the live histogram and this moment's figures.
pub async fn render(state: &AppState) -> Result<String, ServiceError> {
    let now = Registry::new();
    let figures = health::figures(&state.db).await?;
    let connections = IntGauge::new("keyhaven_connections", "Connections, checked or not.").map_err(internal)?;
    now.register(Box::new(connections.clone())).map_err(internal)?;
    connections.set(i64::try_from(figures.total).unwrap_or(i64::MAX));
    let per = ["id", "connection"];
    let up = gauge(&now, "keyhaven_connection_up", "1 when the newest check of the connection passed.", &per)?;
    let age = gauge(&now, "keyhaven_connection_last_check_age_seconds", "Seconds since the newest check.", &per)?;
    let took = gauge(&now, "keyhaven_connection_check_duration_seconds", "How long the newest check took.", &per)?;
    let used = gauge(&now, "keyhaven_connection_storage_used_bytes", "Storage used, by the newest check.", &per)?;
    let total = gauge(&now, "keyhaven_connection_storage_total_bytes", "Storage size, by the newest check.", &per)?;
    let at = chrono::Utc::now();
    for c in &figures.checked {
        let id = c.id.to_string();
        let labels = [id.as_str(), c.label.as_str()];
        up.with_label_values(&labels).set(if c.up { 1.0 } else { 0.0 });
        age.with_label_values(&labels).set((at - c.checked_at).num_milliseconds().max(0) as f64 / 1000.0);
        took.with_label_values(&labels).set(c.duration_ms.max(0) as f64 / 1000.0);
        if let (Some(u), Some(t)) = (c.storage_used, c.storage_total) {
            used.with_label_values(&labels).set(u as f64);
            total.with_label_values(&labels).set(t as f64);
        }
    }
    let raised = IntCounterVec::new(Opts::new("keyhaven_alerts_total", "Alerts raised, by kind."), &["kind"])
        .map_err(internal)?;
    now.register(Box::new(raised.clone())).map_err(internal)?;
    for (kind, n) in &figures.alerts_by_kind {
        raised.with_label_values(&[kind.as_str()]).inc_by(*n);
    }
    let sent = IntCounterVec::new(
        Opts::new("keyhaven_alert_deliveries_total", "Alert deliveries by channel and status (pending, sent, failed)."),
        &["channel", "status"],
    )
    .map_err(internal)?;
    now.register(Box::new(sent.clone())).map_err(internal)?;
    for (channel, status, n) in alerts::delivery_counts(&state.db).await? {
        sent.with_label_values(&[channel.as_str(), status.as_str()]).inc_by(n);
    }
    let (in_use, max) = state.ssh.slots_in_use();
    let slots = gauge(&now, "keyhaven_ssh_connections", "SSH connections open now, and the most allowed.", &["kind"])?;
    slots.with_label_values(&["open"]).set(in_use as f64);
    slots.with_label_values(&["max"]).set(max as f64);

    let mut families = state.metrics.registry.gather();
    families.extend(now.gather());
    let mut text = Vec::new();
    TextEncoder::new().encode(&families, &mut text).map_err(internal)?;
    String::from_utf8(text).map_err(|e| ServiceError::Internal(format!("metrics: {e}")))
}
