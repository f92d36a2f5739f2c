//! SQLite's write lock: a write that finds it taken waits with Keyhaven's short pauses
//! (`server::sqlite_busy`) and goes through once the lock is free, on every pool Keyhaven opens.

use keyhaven::server::{db, sqlite_busy};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use std::time::Duration;

#[tokio::test]
async fn a_write_waits_for_the_lock_with_short_pauses_and_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/locks.db?mode=rwc", dir.path().display());
    let requests = db::connect(&url).await.unwrap();
    let background = db::connect_background(&url, &requests).await;
    requests.execute_unprepared("CREATE TABLE probe (x INTEGER)").await.unwrap();
    for (pool, name) in [(&requests, "requests"), (&background, "background")] {
        let holder = requests.begin().await.unwrap();
        holder.execute_unprepared("INSERT INTO probe VALUES (1)").await.unwrap();
        let before = sqlite_busy::pauses();
        let waiting = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.execute_unprepared("INSERT INTO probe VALUES (2)").await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "{name}: the second write waits while the lock is held");
        assert!(sqlite_busy::pauses() > before, "{name}: it waits in Keyhaven's busy handler");
        holder.commit().await.unwrap();
        waiting.await.unwrap().unwrap_or_else(|e| panic!("{name}: the write goes through once the lock is free: {e}"));
    }
    let rows = requests
        .query_all(Statement::from_string(DbBackend::Sqlite, "SELECT x FROM probe ORDER BY rowid"))
        .await
        .unwrap();
    let values: Vec<i32> = rows.iter().map(|r| r.try_get("", "x").unwrap()).collect();
    assert_eq!(values, [1, 2, 1, 2], "both writes of each round are kept, in lock order");
}
