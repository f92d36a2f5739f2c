//! Connecting to the database (SQLite by default, PostgreSQL for bigger installs) and migrating it.

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens the requests' pool. SQLite gets WAL (readers never wait for the writer), foreign keys and
/// a way to wait for the write lock (`sqlite_busy`), none of which sqlx turns on by itself; an
/// in-memory SQLite database gets one connection because every pooled connection would otherwise
/// see its own empty database.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_sized(url, if url.starts_with("sqlite:") { 8 } else { 16 }).await
}

/// A small pool of its own for background work (scheduled checks, alert deliveries, pruning), at
/// the background priority (see `server::background`). Why: a round of checks writes a few rows
/// per check and SQLite lets one writer in at a time; a writer that waits holds its pooled
/// connection while SQLite's busy handler sleeps, and in the requests' pool two dozen checks could
/// hold every connection that way while a page waited for one. Here the checks wait for each other.
/// An in-memory database is one connection, so it is shared; when the second pool cannot open,
/// the requests' pool serves.
pub async fn connect_background(url: &str, requests: &DatabaseConnection) -> DatabaseConnection {
    let sqlite = url.starts_with("sqlite:");
    if sqlite && is_in_memory(url) {
        return requests.clone();
    }
    let opened = if sqlite {
        // SQLite runs each connection's queries on a thread of its own, started as the connection
        // opens: opened from a background thread, the pool's queries run at the background
        // priority too. (A PostgreSQL connection is driven by the runtime it was opened on, so it
        // is opened here; its queries run in the PostgreSQL server anyway.)
        let url = url.to_string();
        super::background::run_lowered("keyhaven-db-open", move || async move {
            connect_sized(&url, BACKGROUND_CONNECTIONS).await
        })
        .await
        .unwrap_or_else(|| Err(DbErr::Custom("no thread to open the background pool on".into())))
    } else {
        connect_sized(url, BACKGROUND_CONNECTIONS).await
    };
    match opened {
        Ok(pool) => pool,
        Err(err) => {
            tracing::warn!(error = %err, "background work shares the requests' database pool");
            requests.clone()
        }
    }
}

/// Connections of the background pool: one writing while the next check's reads go on.
const BACKGROUND_CONNECTIONS: u32 = 2;

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

async fn connect_sized(url: &str, size: u32) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        return connect_sqlite(url, size).await;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(size);
    Database::connect(options).await
}

/// An SQLite pool, built with sqlx itself so that each connection gets Keyhaven's busy handler as
/// it opens (`sqlite_busy`; sea-orm's options have no hook for that).
async fn connect_sqlite(url: &str, size: u32) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::ConnectOptions as _;
    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let failed = |e: sea_orm::sqlx::Error| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e));
    super::sqlite_memory::configure();
    let in_memory = is_in_memory(url);
    if !in_memory {
        private_files(url).map_err(|e| DbErr::Custom(format!("cannot make the database file private: {e}")))?;
    }
    let options = url
        .parse::<SqliteConnectOptions>()
        .map_err(failed)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // For the pragmas sqlx runs as a connection opens; `after_connect` then puts Keyhaven's
        // handler in its place.
        .busy_timeout(super::sqlite_busy::BUSY_TIMEOUT)
        .row_buffer_size(ROWS_BUFFERED)
        .disable_statement_logging();
    // Every connection is opened at once and kept: an SQLite connection lives in this process
    // and never goes stale, and its worker thread keeps the priority of the thread that opened it
    // (a requests' connection reopened later by a check would run at the background priority,
    // `server::background`).
    let size = if in_memory { 1 } else { size };
    let keep = Some(Duration::from_secs(KEEP_SQLITE_CONNECTIONS));
    let pool = SqlitePoolOptions::new()
        .max_connections(size)
        .min_connections(size)
        .max_lifetime(keep)
        .idle_timeout(keep)
        .acquire_timeout(Duration::from_secs(10))
        // An SQLite connection cannot be dropped by a server, so the ping sqlx sends before
        // handing out a connection only costs one more trip to the connection's worker thread
        // per query (measured: a third of a page render went to those thread hand-offs).
        .test_before_acquire(false)
        .after_connect(|connection, _| {
            Box::pin(async move {
                let mut handle = connection.lock_handle().await?;
                super::sqlite_busy::install(handle.as_raw_handle())
                    .map_err(|e| sea_orm::sqlx::Error::Configuration(e.into()))?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(failed)?;
    Ok(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Rows an SQLite connection's thread may hand over ahead of the task reading them. Why not sqlx's
/// 50: once that many wait, every row taken wakes the connection's thread for one more row, and
/// the two threads take turns per row — the Dashboard's newest check of each of 1,000 connections
/// cost some 300 thread switches per page, each a chance to wait for a core while a round of
/// checks keeps the machine busy. The rows are read into memory whole anyway.
const ROWS_BUFFERED: usize = 4096;

/// A year: SQLite connections are replaced only by a restart.
const KEEP_SQLITE_CONNECTIONS: u64 = 365 * 24 * 3600;

/// The SQLite file of a `sqlite://path?…` URL.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().filter(|p| !p.is_empty())?;
    Some(std::path::PathBuf::from(path))
}

/// The database holds password and token hashes and sealed keys: its file, WAL and shared-memory
/// file are readable by Keyhaven's user only (0600). The file is created 0600 before SQLite opens
/// it, and SQLite gives the WAL and shared-memory files the database file's mode.
fn private_files(url: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let Some(path) = sqlite_path(url) else { return Ok(()) };
    if !path.exists() {
        std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(&path)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Brings the schema up to date; safe to run at every start.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Creates the data dir (0700: it will hold secrets) and opens and migrates the database.
pub async fn open(settings: &crate::server::config::Settings) -> Result<sea_orm::DatabaseConnection, String> {
    create_private_dir(&settings.data_dir)?;
    let url = settings.effective_database_url();
    let conn = connect(&url).await.map_err(|e| format!("cannot open the database: {e}"))?;
    migrate(&conn).await.map_err(|e| format!("cannot migrate the database: {e}"))?;
    Ok(conn)
}

fn create_private_dir(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))?;
    }
    let mode = std::fs::metadata(dir).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
    if mode & 0o077 != 0 {
        tracing::warn!(dir = %dir.display(), mode = format!("{mode:o}"), "data dir is readable by others; chmod 700 it");
    }
    Ok(())
}
