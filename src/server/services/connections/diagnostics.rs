//! `POST …/connections/{id}/diagnostics`: more than Test says, for a connection that is slow or
//! flaky. One login with the connection's key, then: the session (SFTP or a shell, as Test checks
//! it), the time of each step up to it, round trips on the open session, optionally whether the
//! remote reaches another host (a `direct-tcpip` channel, no command), and SFTP throughput with a
//! temporary file in the login directory that is removed afterwards. Nothing else is written.

use super::login::{Opened, open_connection};
use crate::model::StageView;
use crate::server::error::ServiceError;
use crate::server::secrets::MasterKey;
use crate::server::services::hosts::{validate_host, validate_port};
use crate::server::services::remote::SshGate;
use crate::server::ssh::client::Session;
use crate::server::ssh::error::SshError;
use crate::server::ssh::sftp::{RemoteFs, random_suffix};
use sea_orm::DatabaseConnection;
use std::time::{Duration, Instant};

/// The largest probe file: enough for a throughput figure, small enough for a Storage Box quota.
pub const MAX_PROBE_BYTES: u64 = 16 << 20;
const MAX_TIMEOUT_SECS: u64 = 60;
const ROUND_TRIPS: usize = 3;

/// What the caller asked for.
pub struct DiagnosticsRequest {
    pub timeout_seconds: u64,
    /// 0 skips the throughput probe.
    pub speed_probe_bytes: u64,
    /// Another host the remote should reach (`host`, `port`).
    pub target: Option<(String, i64)>,
}

#[derive(Debug, Default)]
pub struct SessionProbe {
    pub ok: bool,
    pub elapsed_ms: u64,
    pub message: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct Latency {
    pub tcp_connect_ms: Option<u64>,
    pub handshake_ms: Option<u64>,
    pub authentication_ms: Option<u64>,
    /// Round trips on the open session (SFTP `realpath`, or `true` in the shell), fastest first.
    pub round_trips_ms: Vec<f64>,
}

#[derive(Debug)]
pub struct Reach {
    pub host: String,
    pub port: u16,
    pub reachable: bool,
    pub elapsed_ms: u64,
    pub error: Option<String>,
}

#[derive(Debug)]
pub struct Throughput {
    pub bytes: u64,
    pub upload_ms: f64,
    pub download_ms: f64,
    pub upload_bytes_per_second: f64,
    pub download_bytes_per_second: f64,
}

#[derive(Debug, Default)]
pub struct Diagnostics {
    pub session: SessionProbe,
    pub latency: Latency,
    pub tcp: Option<Reach>,
    pub throughput: Option<Throughput>,
    /// Why throughput was not measured, when it was asked for.
    pub throughput_error: Option<String>,
    pub stages: Vec<StageView>,
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stage_ms(stages: &[StageView], name: &str) -> Option<u64> {
    stages.iter().find(|s| s.name == name && s.status == "ok").map(|s| s.millis)
}

/// A host and port the remote should reach, checked.
type ReachTarget = Option<(String, u16)>;

/// Checks the request before anything connects: a bad target or number is a 422 naming it.
fn checked(request: &DiagnosticsRequest) -> Result<(Duration, u64, ReachTarget), ServiceError> {
    if request.timeout_seconds == 0 || request.timeout_seconds > MAX_TIMEOUT_SECS {
        return Err(ServiceError::invalid("timeout_seconds", format!("timeout_seconds must be 1–{MAX_TIMEOUT_SECS}.")));
    }
    if request.speed_probe_bytes > MAX_PROBE_BYTES {
        return Err(ServiceError::invalid(
            "speed_probe_bytes",
            format!("speed_probe_bytes must be at most {MAX_PROBE_BYTES} (16 MiB)."),
        ));
    }
    let target = match &request.target {
        None => None,
        Some((host, port)) => Some((validate_host(host)?, validate_port(*port)?)),
    };
    Ok((Duration::from_secs(request.timeout_seconds), request.speed_probe_bytes, target))
}

pub async fn diagnose(
    db: &DatabaseConnection,
    gate: &SshGate,
    master: &MasterKey,
    id: i32,
    request: DiagnosticsRequest,
) -> Result<Diagnostics, ServiceError> {
    let (timeout, probe_bytes, target) = checked(&request)?;
    let Opened { connection, session, mut stages, _slot } = open_connection(db, gate, master, id).await?;
    let mut report = Diagnostics::default();
    let fs = if connection.use_sftp_mode || probe_bytes > 0 { RemoteFs::open(&session).await.ok() } else { None };
    let work = async {
        session_and_latency(&session, fs.as_ref(), &mut report).await;
        if let Some((host, port)) = target {
            report.tcp = Some(reach(&session, host, port, timeout).await);
        }
        if probe_bytes > 0 {
            match &fs {
                Some(fs) => match throughput(fs, probe_bytes).await {
                    Ok(measured) => report.throughput = Some(measured),
                    Err(err) => report.throughput_error = Some(err.to_string()),
                },
                None => report.throughput_error = Some("SFTP is not available on this account".into()),
            }
        }
    };
    let finished = tokio::time::timeout(timeout * 4, work).await;
    if let Some(fs) = fs {
        fs.close().await;
    }
    session.close().await;
    if finished.is_err() {
        report
            .session
            .error
            .get_or_insert_with(|| format!("diagnostics did not finish within {} s", (timeout * 4).as_secs()));
    }
    report.stages = stages.take();
    report.latency.tcp_connect_ms = stage_ms(&report.stages, "tcp");
    report.latency.handshake_ms = stage_ms(&report.stages, "host_key");
    report.latency.authentication_ms = stage_ms(&report.stages, "authentication");
    Ok(report)
}

/// The session as Test checks it (SFTP answers, or the shell runs a command), then round trips.
async fn session_and_latency(session: &Session, fs: Option<&RemoteFs>, report: &mut Diagnostics) {
    let started = Instant::now();
    let first = match fs {
        Some(fs) => fs.home().await.map(|home| format!("SFTP works; the login directory is {home}")),
        None => session.exec("true", None).await.map(|out| match out.exit_status {
            Some(0) => "the shell runs commands".to_string(),
            _ => "logged in; the account runs a forced command or a restricted shell".to_string(),
        }),
    };
    report.session.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match first {
        Ok(message) => {
            report.session.ok = true;
            report.session.message = Some(message);
        }
        Err(err) => {
            report.session.error = Some(err.to_string());
            return;
        }
    }
    for _ in 0..ROUND_TRIPS {
        let started = Instant::now();
        let done = match fs {
            Some(fs) => fs.home().await.map(|_| ()),
            None => session.exec("true", None).await.map(|_| ()),
        };
        if done.is_err() {
            break;
        }
        report.latency.round_trips_ms.push(millis(started.elapsed()));
    }
    report.latency.round_trips_ms.sort_by(f64::total_cmp);
}

async fn reach(session: &Session, host: String, port: u16, timeout: Duration) -> Reach {
    let started = Instant::now();
    let outcome = session.reach(&host, port, timeout).await;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Reach { host, port, reachable: outcome.is_ok(), elapsed_ms, error: outcome.err().map(|e| e.to_string()) }
}

/// Uploads `bytes` to a new file in the login directory, reads it back, removes it.
async fn throughput(fs: &RemoteFs, bytes: u64) -> Result<Throughput, SshError> {
    let home = fs.home().await?;
    let path = format!("{}/.keyhaven-speed-{}", home.trim_end_matches('/'), random_suffix());
    let data: Vec<u8> = (0..bytes).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let started = Instant::now();
    let written = fs.write_new(&path, &data, 0o600).await;
    let upload = started.elapsed();
    let outcome = match written {
        Ok(()) => {
            let started = Instant::now();
            let read = fs.read(&path).await;
            let download = started.elapsed();
            match read {
                Ok(Some(back)) if back.len() == data.len() => Ok((upload, download)),
                Ok(_) => Err(SshError::Protocol("the probe file came back different".into())),
                Err(err) => Err(err),
            }
        }
        Err(err) => Err(err),
    };
    let _ = fs.remove(&path).await;
    let (upload, download) = outcome?;
    let rate = |d: Duration| if d.is_zero() { 0.0 } else { bytes as f64 / d.as_secs_f64() };
    Ok(Throughput {
        bytes,
        upload_ms: millis(upload),
        download_ms: millis(download),
        upload_bytes_per_second: rate(upload),
        download_bytes_per_second: rate(download),
    })
}
