//! Borg UI's connection checks against the real sshd. `verify-borg` (Debian's borgbackup is
//! installed): a shell account reports borg's path and version; a key restricted to `borg serve`
//! and an SFTP-only account report that they cannot be asked (never "borg is missing").
//! `diagnostics`: step times, round trips, reaching another host from the remote, SFTP throughput
//! (the probe file removed), and 422s naming a bad field.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use serde_json::json;
use std::process::Command;

/// `borg --version` here, as `X.Y.Z` (the test sshd runs on this machine).
fn local_borg() -> Option<(String, String)> {
    let path = Command::new("sh").args(["-c", "command -v borg"]).output().ok()?;
    let version = Command::new("borg").arg("--version").output().ok()?;
    let version = String::from_utf8_lossy(&version.stdout).trim().strip_prefix("borg ")?.to_string();
    Some((String::from_utf8_lossy(&path.stdout).trim().to_string(), version))
}

#[tokio::test]
async fn verify_borg_reports_path_and_version_or_why_it_cannot_tell() {
    let Some(sshd) = TestSshd::start() else { return };
    let Some((path, version)) = local_borg() else {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!in_ci, "CI=true needs borg: the test command installs borgbackup");
        return;
    };
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;

    let shell = TestAccount::shell();
    sshd.authorize(&shell.name, &s.system_key);
    let id = s.connection(sshd.port, &shell.name, false, None).await;
    let (status, body) = s.action(id, "verify-borg", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["installed"].clone(), body["success"].clone()), (json!(true), json!(true)), "{body}");
    assert_eq!(body["version"], version.as_str());
    assert_eq!(body["path"], path.as_str());
    assert!(body["error"].is_null() && body["last_check"].is_string(), "{body}");

    let forced = TestAccount::shell();
    sshd.authorize(&forced.name, &format!("restrict,command=\"borg serve --restrict-to-path /tmp\" {}", s.system_key));
    let id = s.connection(sshd.port, &forced.name, false, None).await;
    let (status, body) = s.action(id, "verify-borg", None).await;
    assert_eq!((status, body["installed"].is_null()), (200, true), "unknown, not missing: {body}");
    assert!(body["error"].as_str().unwrap().contains("borg serve"), "{body}");

    let sftp = TestAccount::sftp_only();
    sshd.authorize(&sftp.name, &s.system_key);
    let id = s.connection(sshd.port, &sftp.name, true, None).await;
    let (status, body) = s.action(id, "verify-borg", None).await;
    assert_eq!((status, body["installed"].is_null()), (200, true), "{body}");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");

    let (status, body) = s.action(9999, "verify-borg", None).await;
    assert_eq!(status, 404, "{body}");
}

fn leftovers(home: &std::path::Path) -> Vec<String> {
    let names: Vec<String> = std::fs::read_dir(home)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect())
        .unwrap_or_default();
    names.into_iter().filter(|n| n.starts_with(".keyhaven-speed")).collect()
}

#[tokio::test]
async fn diagnostics_time_each_step_reach_another_host_and_measure_sftp_throughput() {
    let Some(sshd) = TestSshd::start() else { return };
    let s = SshApp::start(None).await;
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let shell = TestAccount::shell();
    sshd.authorize(&shell.name, &s.system_key);
    let id = s.connection(sshd.port, &shell.name, false, None).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();

    let body = json!({"timeout_seconds": 5, "speed_probe_bytes": 262_144,
        "target": {"host": "127.0.0.1", "port": sshd.port}});
    let (status, answer) = s.action(id, "diagnostics", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["session"]["status"].as_str(), answer["connection"]["id"].as_i64()), (Some("ok"), Some(id)));
    assert!(
        answer["latency"]["tcp_connect_ms"].is_u64() && answer["latency"]["authentication_ms"].is_u64(),
        "{answer}"
    );
    assert_eq!(answer["latency"]["round_trips_ms"].as_array().map(Vec::len), Some(3), "{answer}");
    assert_eq!(
        (answer["tcp"]["reachable"].as_bool(), answer["tcp"]["port"].as_u64()),
        (Some(true), Some(u64::from(sshd.port)))
    );
    assert_eq!(answer["throughput"]["bytes"], 262_144, "{answer}");
    assert!(answer["throughput"]["upload_bytes_per_second"].as_f64().unwrap() > 0.0);
    assert!(leftovers(&shell.home).is_empty(), "the probe file is removed");

    drop(std::net::TcpListener::bind(("127.0.0.1", closed)));
    let body = json!({"timeout_seconds": 5, "speed_probe_bytes": 0, "target": {"host": "127.0.0.1", "port": closed}});
    let (status, answer) = s.action(id, "diagnostics", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["tcp"]["reachable"], false, "nothing listens there: {answer}");
    assert!(answer["tcp"]["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(answer["throughput"].is_null() && answer["throughput_error"].is_null(), "not asked for: {answer}");

    // A Storage Box-like account: SFTP only, no forwarding; throughput works in its chroot.
    let sftp = TestAccount::sftp_only();
    sshd.authorize(&sftp.name, &s.system_key);
    let id = s.connection(sshd.port, &sftp.name, true, None).await;
    let body =
        json!({"timeout_seconds": 5, "speed_probe_bytes": 65_536, "target": {"host": "127.0.0.1", "port": sshd.port}});
    let (status, answer) = s.action(id, "diagnostics", Some(body)).await;
    assert_eq!((status, answer["session"]["status"].as_str()), (200, Some("ok")), "{answer}");
    assert!(answer["session"]["message"].as_str().unwrap().contains("SFTP works"), "{answer}");
    assert_eq!(answer["tcp"]["reachable"], false, "AllowTcpForwarding no: {answer}");
    assert_eq!(answer["throughput"]["bytes"], 65_536, "{answer}");
    assert!(leftovers(&sftp.home).is_empty());

    for (body, field) in [
        (json!({"speed_probe_bytes": 1_000_000_000}), "speed_probe_bytes"),
        (json!({"timeout_seconds": 0}), "timeout_seconds"),
        (json!({"target": {"host": "-oProxyCommand=x", "port": 22}}), "host"),
        (json!({"target": {"host": "example.org", "port": 70000}}), "port"),
    ] {
        let (status, answer) = s.action(id, "diagnostics", Some(body)).await;
        assert_eq!((status, answer["field"].as_str()), (422, Some(field)), "{answer}");
    }
}
