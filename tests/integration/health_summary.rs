//! `GET /api/health/summary` and a connection's own check interval against the real sshd: counts
//! by the newest check (a working, a refused key, a stopped port, a never-checked connection, one
//! nearly full), failing reasons counted, the attention list most urgent first; the interval is
//! validated by field, audited, and "off" keeps the scheduler away from that connection.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use crate::common::test_settings;
use axum::http::Method;
use chrono::Utc;
use keyhaven::server::config::Settings;
use keyhaven::server::entities::{check_schedule, connection_check, ssh_connection};
use keyhaven::server::services::health::{Scheduler, prune_once, start};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

async fn summary(s: &SshApp) -> Value {
    let (status, body) = s.call(Method::GET, "/api/health/summary", None).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// How many checks connection `id` has in its history.
async fn count(s: &SshApp, id: i64) -> u64 {
    let (_, body) = s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/checks"), None).await;
    body["total"].as_u64().unwrap()
}

async fn tested(s: &SshApp, id: i64) {
    let (status, body) = s.action(id, "test", None).await;
    assert_eq!(status, 200, "{body}");
}

/// The counts and the attention list come from the database's own sums, the same on SQLite and
/// PostgreSQL: only the newest check of each connection counts, nearly full storage (90 % or more,
/// used clamped to the total) only for a healthy connection, and "off" is counted apart.
#[tokio::test]
async fn the_database_counts_the_newest_checks_on_every_engine() {
    crate::common::on_every_engine(|db| async move {
        let db = &db.conn;
        let now = Utc::now();
        let mut ids = Vec::new();
        for (i, host) in
            ["ok.example", "full.example", "over.example", "down.example", "never.example"].iter().enumerate()
        {
            let row = ssh_connection::ActiveModel {
                host: Set(host.to_string()),
                username: Set("backup".into()),
                port: Set(22),
                status: Set("unknown".into()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            ids.push(row.insert(db).await.unwrap().id);
            assert_eq!(ids.len(), i + 1);
        }
        // (connection, minutes ago, healthy, reason, used, total): only the newest of each counts.
        let checks = [
            (ids[0], 10, false, "timeout", None, None),
            (ids[0], 1, true, "ok", Some(89), Some(100)),
            (ids[1], 2, true, "restricted_ok", Some(90), Some(100)),
            (ids[2], 1, true, "ok", Some(130), Some(100)),
            (ids[3], 10, true, "ok", Some(99), Some(100)),
            (ids[3], 1, false, "refused", Some(99), Some(100)),
        ];
        for (connection, ago, healthy, reason, used, total) in checks {
            connection_check::ActiveModel {
                connection_id: Set(connection),
                checked_at: Set(now - chrono::Duration::minutes(ago)),
                trigger: Set("scheduled".into()),
                healthy: Set(healthy),
                reason: Set(reason.into()),
                message: Set((!healthy).then(|| format!("{reason} in words"))),
                duration_ms: Set(40),
                stages: Set("[]".into()),
                storage_used: Set(used),
                storage_total: Set(total),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
        let off = check_schedule::ActiveModel {
            connection_id: Set(ids[4]),
            interval_secs: Set(Some(0)),
            next_check_at: Set(now),
            running_since: Set(None),
            last_checked_at: Set(None),
        };
        off.insert(db).await.unwrap();

        let s = keyhaven::server::services::health::summary(db, 900).await.unwrap();
        assert_eq!(
            (s.total, s.healthy, s.failing, s.unchecked, s.nearly_full, s.checks_off, s.interval_secs),
            (5, 3, 1, 1, 2, 1, 900)
        );
        assert_eq!(s.reasons, [("refused".to_string(), 1)]);
        let attention: Vec<(i32, &str, Option<u8>)> =
            s.attention.iter().map(|a| (a.connection_id, a.reason.as_str(), a.storage_percent)).collect();
        assert_eq!(
            attention,
            [(ids[3], "refused", Some(99)), (ids[2], "nearly_full", Some(100)), (ids[1], "nearly_full", Some(90))]
        );
        assert_eq!(s.attention[0].connection, "backup@down.example:22");
        assert_eq!(s.attention[0].message.as_deref(), Some("refused in words"));
    })
    .await;
}

#[tokio::test]
async fn the_summary_counts_by_the_newest_check_and_puts_the_most_urgent_first() {
    let Some(sshd) = TestSshd::start() else { return };
    let s = SshApp::start(None).await;
    let empty = summary(&s).await;
    assert_eq!((empty["total"].as_u64(), empty["attention"].as_array().map(Vec::len)), (Some(0), Some(0)));
    assert_eq!(empty["check_interval_secs"], 900, "the default interval");

    let shell = TestAccount::shell();
    let working = s.working_connection(&sshd, &shell, false).await;
    let sftp = TestAccount::sftp_only();
    let refused_key = s.connection(sshd.port, &sftp.name, true, None).await;
    let stopped = s.connection(1, "backup", false, None).await;
    let never = s.connection(sshd.port, "nobody-yet", false, None).await;
    // Only the newest check counts: the working connection failed before its key came back.
    sshd.authorize(
        &shell.name,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJhN4vEhcVYB1mN1u0G6u5Cmz2QfAh3B4v0Vn6y1d0xN other",
    );
    for id in [working, refused_key, stopped] {
        tested(&s, id).await;
    }
    sshd.authorize(&shell.name, &s.system_key);
    tested(&s, working).await;
    let full = s.connection(sshd.port, &shell.name, false, Some("/srv/full")).await;
    connection_check::ActiveModel {
        connection_id: Set(full as i32),
        checked_at: Set(Utc::now()),
        trigger: Set("scheduled".into()),
        healthy: Set(true),
        reason: Set("ok".into()),
        duration_ms: Set(40),
        stages: Set("[]".into()),
        storage_used: Set(Some(95)),
        storage_total: Set(Some(100)),
        ..Default::default()
    }
    .insert(&s.app.state.db)
    .await
    .unwrap();

    let body = summary(&s).await;
    assert_eq!(
        [&body["total"], &body["healthy"], &body["failing"], &body["unchecked"], &body["nearly_full"]],
        [&json!(5), &json!(2), &json!(2), &json!(1), &json!(1)],
        "{body}"
    );
    assert_eq!(body["reasons"], json!({"auth_rejected": 1, "refused": 1}));
    let attention: Vec<(i64, &str)> = body["attention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["connection_id"].as_i64().unwrap(), a["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(attention, [(refused_key, "auth_rejected"), (stopped, "refused"), (full, "nearly_full")]);
    let first = &body["attention"][0];
    assert_eq!(first["connection"], format!("{}@127.0.0.1:{}", sftp.name, sshd.port));
    assert!(first["message"].as_str().is_some_and(|m| !m.is_empty()), "the reason in words: {first}");
    assert_eq!(body["attention"][2]["storage_percent"], 95);
    assert!(
        !body["attention"].to_string().contains(&format!("\"connection_id\":{never}")),
        "unchecked is counted only"
    );

    let anonymous = s.app.json(Method::GET, "/api/health/summary", &crate::common::http::Auth::Anonymous, None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn a_connection_interval_is_validated_audited_and_off_means_never_checked() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    // The interval the scheduler below runs with, so the schedule the API sets is the same.
    let settings = Settings { check_interval_secs: 1, ..test_settings() };
    let s = SshApp::start(Some(settings)).await;
    let checked = s.working_connection(&sshd, &account, false).await;
    let off = s.connection(sshd.port, &account.name, false, Some("/tmp")).await;
    let path = |id: i64| format!("/api/ssh-keys/connections/{id}/schedule");

    let (status, body) = s.call(Method::GET, &path(off), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["interval_secs"].clone(), body["effective_interval_secs"].as_i64()), (Value::Null, Some(1)));
    for (bad, why) in [
        (json!({}), "missing"),
        (json!({"interval_secs": 59}), "too short"),
        (json!({"interval_secs": 40_000_000}), "over a year"),
        (json!({"interval_secs": "often"}), "not a number"),
        (json!({"interval_secs": -5}), "negative"),
    ] {
        let (status, answer) = s.call(Method::PUT, &path(off), Some(bad)).await;
        assert_eq!((status, answer["field"].as_str()), (422, Some("interval_secs")), "{why}: {answer}");
    }
    let (status, _) = s.call(Method::PUT, &path(9999), Some(json!({"interval_secs": 0}))).await;
    assert_eq!(status, 404);

    let (status, body) = s.call(Method::PUT, &path(checked), Some(json!({"interval_secs": 3600}))).await;
    assert_eq!((status, body["effective_interval_secs"].as_i64()), (200, Some(3600)), "{body}");
    let (status, body) = s.call(Method::PUT, &path(checked), Some(json!({"interval_secs": null}))).await;
    assert_eq!(
        (status, body["interval_secs"].clone(), body["checks_enabled"].as_bool()),
        (200, Value::Null, Some(true))
    );
    let (status, body) = s.call(Method::PUT, &path(off), Some(json!({"interval_secs": 0}))).await;
    assert_eq!(
        (status, body["checks_enabled"].as_bool(), body["next_check_at"].clone()),
        (200, Some(false), Value::Null)
    );
    let (_, audit) = s.call(Method::GET, "/api/audit?per_page=200", None).await;
    let schedules = audit.to_string().matches("connection.schedule").count();
    assert_eq!(schedules, 3, "every change is audited: {audit}");
    assert_eq!(summary(&s).await["checks_off"], 1);

    let state = &s.app.state;
    let running = start(Scheduler {
        db: state.db.clone(),
        changes: state.changes.clone(),
        gate: state.ssh.clone(),
        master: state.master_key.clone(),
        every: chrono::Duration::seconds(1),
        failures_to_alert: 2,
        inventory_every: chrono::Duration::zero(),
    })
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count(&s, checked).await < 2 {
        assert!(std::time::Instant::now() < deadline, "the other connection is checked");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    running.abort();
    assert_eq!(count(&s, off).await, 0, "a connection whose checks are off is never checked");
}

#[tokio::test]
async fn checks_older_than_the_retention_are_forgotten_and_newer_ones_kept() {
    let s = SshApp::start(None).await;
    let id = s.connection(1, "backup", false, None).await;
    let db = &s.app.state.db;
    for days in [100, 91, 89, 1] {
        connection_check::ActiveModel {
            connection_id: Set(id as i32),
            checked_at: Set(Utc::now() - chrono::Duration::days(days)),
            trigger: Set("scheduled".into()),
            healthy: Set(true),
            reason: Set("ok".into()),
            duration_ms: Set(days),
            stages: Set("[]".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    assert_eq!(prune_once(db, chrono::Duration::days(90)).await.unwrap(), 2);
    let (_, kept) = s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/checks"), None).await;
    let ages: Vec<i64> =
        kept["checks"].as_array().unwrap().iter().map(|c| c["duration_ms"].as_i64().unwrap()).collect();
    assert_eq!(ages, [1, 89], "the two within 90 days, newest first");
    assert_eq!(prune_once(db, chrono::Duration::days(90)).await.unwrap(), 0, "nothing left to forget");
}

/// The Dashboard, the summary and `/metrics` find each connection's newest check with one step
/// down the index per connection, never by reading the whole history (months of checks): SQLite's
/// plan searches the history by index, sorts nothing but the few newest checks it groups, and
/// scans only the connections. The same for the summary's counts and its attention list.
#[tokio::test]
async fn the_newest_checks_are_found_without_reading_the_whole_history() {
    use keyhaven::server::services::health::{ATTENTION, NEWEST_CHECKS, TALLY};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = crate::common::sqlite().await;
    for (name, sql) in [("newest checks", NEWEST_CHECKS), ("tally", TALLY), ("attention", ATTENTION)] {
        let explain = Statement::from_string(DbBackend::Sqlite, format!("EXPLAIN QUERY PLAN {sql}"));
        let rows = db.conn.query_all(explain).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "detail").unwrap()).collect();
        let history_reads: Vec<&String> = plan
            .iter()
            .filter(|d| d.contains("connection_checks") || matches!(d.split_whitespace().nth(1), Some("c" | "n")))
            .collect();
        assert!(!history_reads.is_empty(), "{name}: {plan:?}");
        for step in &history_reads {
            assert!(step.starts_with("SEARCH"), "{name}: the history is read by index, not scanned: {plan:?}");
        }
        assert!(
            plan.iter().any(|d| d.starts_with("SEARCH c USING") && d.contains("connection_id=?")),
            "{name}: {plan:?}"
        );
        assert!(
            !plan.iter().any(|d| d.contains("TEMP B-TREE") && !d.contains("GROUP BY")),
            "{name}: the index gives the order: {plan:?}"
        );
    }
}
