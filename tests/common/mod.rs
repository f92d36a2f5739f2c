//! Test helpers: fresh databases (SQLite always, PostgreSQL when the test command started one) and
//! an in-process Keyhaven router.
#![allow(dead_code)]

pub mod accounts;
pub mod fake_ssh;
pub mod http;
pub mod openssh;
pub mod receiver;
pub mod ssh_app;
pub mod sshd;

use keyhaven::server::config::Settings;
use keyhaven::server::db;
use keyhaven::server::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

/// Environment variable naming a PostgreSQL server the tests may create databases on.
pub const POSTGRES_ENV: &str = "KEYHAVEN_TEST_POSTGRES_URL";

/// A migrated database that lives as long as the value (the SQLite file's directory, or nothing).
pub struct TestDb {
    pub conn: DatabaseConnection,
    pub engine: &'static str,
    pub _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
    let conn = db::connect(&url).await.expect("connect sqlite");
    db::migrate(&conn).await.expect("migrate sqlite");
    TestDb { conn, engine: "sqlite", _dir: Some(dir) }
}

/// A fresh database on the test PostgreSQL server, or `None` when none was started.
pub async fn postgres() -> Option<TestDb> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())?;
    let name = format!("kh_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let admin = db::connect(&base).await.expect("connect postgres");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("{POSTGRES_ENV} must end in /<database>"),
    };
    let conn = db::connect(&url).await.expect("connect test database");
    db::migrate(&conn).await.expect("migrate postgres");
    Some(TestDb { conn, engine: "postgres", _dir: None })
}

/// Runs a test body on SQLite and, when available, on PostgreSQL. In CI the PostgreSQL server is
/// required (`CI=true`), so a missing server fails rather than silently testing less.
pub async fn on_every_engine<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut lite = sqlite().await;
    // Async blocks capture only the fields they use, so keep the temp dir alive out here.
    let keep_dir = lite._dir.take();
    body(lite).await;
    drop(keep_dir);
    match postgres().await {
        Some(pg) => body(pg).await,
        None if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{POSTGRES_ENV} is not set: the test command must start PostgreSQL")
        }
        None => eprintln!("note: {POSTGRES_ENV} unset, PostgreSQL variant skipped"),
    }
}

/// Default settings with a data dir of its own (derived files such as `ssh/known_hosts` land
/// there, never in the repository).
pub fn test_settings() -> Settings {
    let data_dir = tempfile::Builder::new().prefix("keyhaven-test-").tempdir().expect("temp dir").keep();
    Settings { data_dir, ..Settings::default() }
}

pub fn test_state(conn: DatabaseConnection) -> AppState {
    test_state_with(conn, test_settings())
}

/// An application state on `settings`; its files writer writes into their data dir.
pub fn test_state_with(conn: DatabaseConnection, settings: Settings) -> AppState {
    let options = leptos::config::LeptosOptions::builder().output_name("keyhaven").build();
    let (master_key, _) = keyhaven::server::secrets::MasterKey::generate().expect("master key");
    AppState::new(options, conn, settings, master_key)
}

/// A change-notice handle with its files writer running on `conn`, writing into a data dir of its
/// own: for tests that call a changing service directly, without an `AppState`.
pub fn file_writer(conn: &DatabaseConnection) -> keyhaven::server::services::changes::Changes {
    let changes = keyhaven::server::services::changes::Changes::new();
    keyhaven::server::services::ssh_files::start(conn.clone(), test_settings().data_dir, changes.clone());
    changes
}
