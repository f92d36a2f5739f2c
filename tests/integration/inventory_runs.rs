//! Reading every connection's authorized_keys as one job, against the real sshd: it covers every
//! connection, counts the ones it read and the ones that could not be read (a host whose key is
//! not trusted, with the reason kept on that connection), runs one at a time, and a job a stop
//! interrupted resumes with only the connections it had not read.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use keyhaven::server::entities::{inventory_read, inventory_run};
use keyhaven::server::services::inventory;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;
use std::time::{Duration, Instant};

async fn finished(s: &SshApp) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = s.call(Method::GET, "/api/inventory/runs/latest", None).await;
        assert_eq!(status, 200, "{body}");
        if body["run"]["state"] == "finished" {
            return body["run"].clone();
        }
        assert!(Instant::now() < deadline, "the fleet read did not finish: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn reads_of(s: &SshApp, id: i64) -> u64 {
    inventory_read::Entity::find()
        .filter(inventory_read::Column::ConnectionId.eq(i32::try_from(id).unwrap()))
        .count(&s.app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_connection_is_read_once_failures_are_counted_and_an_interrupted_run_resumes() {
    let Some(sshd) = TestSshd::start() else { return };
    let sshd = &sshd;
    crate::common::on_every_engine(|db| async move {
        let s = SshApp::start_on(db, None).await;
        let (status, body) = s.call(Method::GET, "/api/inventory/runs/latest", None).await;
        assert_eq!(status, 404, "{body}");
        let accounts: Vec<TestAccount> = (0..4).map(|_| TestAccount::shell()).collect();
        let mut ids = Vec::new();
        for account in &accounts {
            account.write_authorized_keys(format!("{}\n", s.system_key.trim()).as_bytes());
            ids.push(s.connection(sshd.port, &account.name, false, None).await);
        }
        // Not trusted yet: this one cannot be read, and says why.
        let (status, _) = s.call(Method::POST, "/api/inventory/runs", None).await;
        assert_eq!(status, 202);
        let run = finished(&s).await;
        assert_eq!(
            (run["total"].as_u64(), run["done"].as_u64(), run["failed"].as_u64()),
            (Some(4), Some(4), Some(4)),
            "{run}"
        );
        let (_, first) =
            s.call(Method::GET, &format!("/api/ssh-keys/connections/{}/authorized-keys", ids[0]), None).await;
        assert!(first["error"].as_str().unwrap().contains("host key not trusted"), "{first}");

        s.trust(sshd.port, &sshd.host_keys()[0]).await;
        let (status, body) = s.call(Method::POST, "/api/inventory/runs", None).await;
        assert_eq!((status, body["run"]["state"].as_str()), (202, Some("running")), "{body}");
        let (status, body) = s.call(Method::POST, "/api/inventory/runs", None).await;
        assert_eq!((status, body["field"].as_str()), (409, Some("run")), "one at a time: {body}");
        let run = finished(&s).await;
        assert_eq!(
            (run["total"].as_u64(), run["done"].as_u64(), run["failed"].as_u64()),
            (Some(4), Some(4), Some(0)),
            "{run}"
        );
        assert_eq!(run["started_by"], "alice");
        for &id in &ids {
            let (_, view) = s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/authorized-keys"), None).await;
            assert_eq!(
                (view["success"].as_bool(), view["counts"]["keyhaven"].as_u64()),
                (Some(true), Some(1)),
                "{view}"
            );
            assert_eq!(reads_of(&s, id).await, 2, "once per run");
        }

        // A run a stop interrupted after two connections: the other two are read, those two are not.
        let db = &s.app.state.db;
        inventory_run::ActiveModel {
            state: Set("running".into()),
            started_by: Set("alice".into()),
            started_at: Set(chrono::Utc::now()),
            finished_at: Set(None),
            last_connection_id: Set(i32::try_from(ids[3]).unwrap()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for &id in &ids[..2] {
            let (status, _) =
                s.call(Method::POST, &format!("/api/ssh-keys/connections/{id}/authorized-keys"), None).await;
            assert_eq!(status, 200);
        }
        let (_, body) = s.call(Method::GET, "/api/inventory/runs/latest", None).await;
        assert_eq!((body["run"]["state"].as_str(), body["run"]["done"].as_u64()), (Some("running"), Some(2)), "{body}");
        inventory::resume_runs(&s.app.state.fleet_reader()).await;
        let run = finished(&s).await;
        assert_eq!((run["done"].as_u64(), run["failed"].as_u64()), (Some(4), Some(0)), "{run}");
        let mut counts = Vec::new();
        for &id in &ids {
            counts.push(reads_of(&s, id).await);
        }
        assert_eq!(counts, [3, 3, 3, 3], "each connection read once more, none twice");
    })
    .await;
}
