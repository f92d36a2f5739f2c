//! `POST /api/ssh-keys/connections/{id}/diagnostics` in Borg UI's shape: `{connection, session,
//! latency, tcp, throughput}` (`tcp` and `throughput` null when not asked for or not possible).

use crate::api::rest::{ApiJson, ApiPath};
use crate::error::AppError;
use crate::server::services::connections::{self, DiagnosticsRequest};
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

fn default_timeout() -> u64 {
    5
}
fn default_probe() -> u64 {
    262_144
}
fn default_port() -> i64 {
    22
}

#[derive(Deserialize)]
pub struct TargetBody {
    #[serde(default)]
    host: String,
    #[serde(default = "default_port")]
    port: i64,
}

#[derive(Deserialize)]
pub struct DiagnosticsBody {
    #[serde(default = "default_timeout")]
    timeout_seconds: u64,
    #[serde(default = "default_probe")]
    speed_probe_bytes: u64,
    #[serde(default)]
    target: Option<TargetBody>,
}

pub async fn diagnostics(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<DiagnosticsBody>,
) -> Result<Json<Value>, AppError> {
    let request = DiagnosticsRequest {
        timeout_seconds: body.timeout_seconds,
        speed_probe_bytes: body.speed_probe_bytes,
        target: body.target.map(|t| (t.host, t.port)),
    };
    let report = connections::diagnose(&state.db, &state.ssh, &state.master_key, id, request).await?;
    let connection = connections::get_view(&state.db, id).await?;
    let session = &report.session;
    Ok(Json(json!({
        "success": session.ok,
        "connection": connection,
        "session": {
            "status": if session.ok { "ok" } else { "failed" }, "elapsed_ms": session.elapsed_ms,
            "message": session.message, "error": session.error, "output": null,
        },
        "latency": {
            "tcp_connect_ms": report.latency.tcp_connect_ms, "handshake_ms": report.latency.handshake_ms,
            "authentication_ms": report.latency.authentication_ms, "round_trips_ms": report.latency.round_trips_ms,
            "min_ms": report.latency.round_trips_ms.first(),
        },
        "tcp": report.tcp.as_ref().map(|t| json!({
            "host": t.host, "port": t.port, "status": if t.reachable { "ok" } else { "failed" },
            "reachable": t.reachable, "elapsed_ms": t.elapsed_ms, "error": t.error,
        })),
        "throughput": report.throughput.as_ref().map(|t| json!({
            "bytes": t.bytes, "upload_ms": t.upload_ms, "download_ms": t.download_ms,
            "upload_bytes_per_second": t.upload_bytes_per_second,
            "download_bytes_per_second": t.download_bytes_per_second,
        })),
        "throughput_error": report.throughput_error,
        "stages": report.stages,
    })))
}
