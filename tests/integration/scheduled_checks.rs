//! The health scheduler against the real sshd: a healthy connection stays healthy over several
//! scheduled checks (with storage, measured in the check's one SSH login), a stopped host turns it `refused`; a check interrupted by a
//! stop runs once at the next start and a day of downtime is one check, not a backlog; a
//! connection whose checks are off is never checked; a manual test holds the scheduler off.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use chrono::{Duration, Utc};
use keyhaven::server::entities::check_schedule;
use keyhaven::server::services::health::{Scheduler, start};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::Value;

fn scheduler(s: &SshApp, every: Duration) -> keyhaven::server::services::health::Running {
    let state = &s.app.state;
    let scheduler = Scheduler {
        db: state.db.clone(),
        changes: state.changes.clone(),
        gate: state.ssh.clone(),
        master: state.master_key.clone(),
        every,
        failures_to_alert: 2,
        inventory_every: chrono::Duration::zero(),
    };
    start(scheduler).expect("an interval above zero starts the scheduler")
}

/// The scheduled checks of connection `id`, newest first.
async fn scheduled(s: &SshApp, id: i64) -> Vec<Value> {
    let (status, body) =
        s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/checks?per_page=200"), None).await;
    assert_eq!(status, 200, "{body}");
    body["checks"].as_array().unwrap().iter().filter(|c| c["trigger"] == "scheduled").cloned().collect()
}

/// Waits (up to 30 s) until `done` holds for the scheduled checks of `id`.
async fn wait_for(s: &SshApp, id: i64, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let checks = scheduled(s, id).await;
        if done(&checks) {
            return checks;
        }
        assert!(std::time::Instant::now() < deadline, "waited 30 s for {what}; checks: {checks:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_healthy_connection_stays_healthy_over_scheduled_checks_until_its_host_stops() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    let logins = || sshd.log().matches("Accepted publickey").count();
    let logins_before = logins();
    let running = scheduler(&s, Duration::seconds(1));

    let checks = wait_for(&s, id, "three scheduled checks", |c| c.len() >= 3).await;
    for check in &checks {
        assert_eq!((check["healthy"].as_bool(), check["reason"].as_str()), (Some(true), Some("ok")), "{check}");
        assert!(check["storage_total"].as_i64().unwrap() > 0, "storage is part of a check: {check}");
    }
    let listed = s.listed(id).await;
    assert_eq!(listed["status"], "connected");
    // One login per check, storage included: stop the scheduler, let a running check finish.
    running.abort();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(logins() - logins_before, scheduled(&s, id).await.len(), "one SSH login per scheduled check");
    let running = scheduler(&s, Duration::seconds(1));
    let (_, audit) = s.call(Method::GET, "/api/audit?per_page=200", None).await;
    assert!(!audit.to_string().contains("connection.tested"), "scheduled checks are not audited as actions");

    drop(sshd);
    let checks = wait_for(&s, id, "a refused check", |c| c.first().is_some_and(|c| c["reason"] == "refused")).await;
    assert_eq!((checks[0]["healthy"].as_bool(), checks[0]["stage"].as_str()), (Some(false), Some("tcp")));
    assert_eq!(s.listed(id).await["status"], "failed");
    running.abort();
}

#[tokio::test]
async fn an_interrupted_check_runs_once_and_downtime_is_one_check_not_a_backlog() {
    let Some(sshd) = TestSshd::start() else { return };
    let (account, quiet) = (TestAccount::shell(), TestAccount::shell());
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    sshd.authorize(&quiet.name, &s.system_key);
    let off = s.connection(sshd.port, &quiet.name, false, None).await;
    let db = &s.app.state.db;
    let day_ago = Utc::now() - Duration::days(1);
    // As a stop in the middle of a check leaves it: running, due a day ago.
    for (connection, interval, running) in [(id, None, Some(day_ago)), (off, Some(0), None)] {
        let row = check_schedule::ActiveModel {
            connection_id: Set(connection as i32),
            interval_secs: Set(interval),
            next_check_at: Set(day_ago),
            running_since: Set(running),
            last_checked_at: Set(None),
        };
        row.insert(db).await.unwrap();
    }
    let running = scheduler(&s, Duration::hours(1));
    wait_for(&s, id, "the interrupted check", |c| !c.is_empty()).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(scheduled(&s, id).await.len(), 1, "one check after a day down, not a backlog");
    assert!(scheduled(&s, off).await.is_empty(), "checks off: never checked");
    let row = check_schedule::Entity::find_by_id(id as i32).one(db).await.unwrap().unwrap();
    assert!(row.running_since.is_none());
    let ahead = row.next_check_at - Utc::now();
    assert!(ahead > Duration::minutes(59) && ahead <= Duration::hours(1), "next in an hour: {ahead:?}");
    running.abort();
}

#[tokio::test]
async fn a_manual_test_holds_the_scheduled_check_of_its_connection() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    let turn = s.app.state.ssh.turn(id as i32).await; // what a manual test holds while it runs
    let running = scheduler(&s, Duration::milliseconds(500));
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    assert!(scheduled(&s, id).await.is_empty(), "no scheduled check beside a manual test");
    drop(turn);
    wait_for(&s, id, "the check once the test is done", |c| !c.is_empty()).await;
    running.abort();
}

/// Background work (checks, deliveries, pruning) has a pool of its own on the same database: what
/// a request writes a check reads, and the reverse; an in-memory database, one connection, is
/// shared rather than opened a second time empty.
#[tokio::test]
async fn the_background_pool_opens_the_same_database() {
    use keyhaven::server::db;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let count = |rows: Vec<sea_orm::QueryResult>| rows[0].try_get::<i64>("", "n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for url in [format!("sqlite://{}/bg.db?mode=rwc", dir.path().display()), "sqlite::memory:".to_string()] {
        let requests = db::connect(&url).await.unwrap();
        let background = db::connect_background(&url, &requests).await;
        requests.execute_unprepared("CREATE TABLE probe (x INTEGER)").await.unwrap();
        background.execute_unprepared("INSERT INTO probe VALUES (1)").await.unwrap();
        requests.execute_unprepared("INSERT INTO probe VALUES (2)").await.unwrap();
        let select = || Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) AS n FROM probe");
        assert_eq!(count(requests.query_all(select()).await.unwrap()), 2, "{url}");
        assert_eq!(count(background.query_all(select()).await.unwrap()), 2, "{url}");
    }
}
