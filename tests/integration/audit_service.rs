use crate::common::on_every_engine;
use keyhaven::server::services::audit::{self, Actor, AuditFilter, Event};

#[tokio::test]
async fn audit_lists_newest_first_filtered_and_paged() {
    on_every_engine(|db| async move {
        let actor = Actor { id: None, name: "kim".into(), client_addr: "192.0.2.7".into() };
        for i in 0..7 {
            let action = if i % 2 == 0 { "login" } else { "user.created" };
            let target = format!("t{i}");
            audit::record(&db.conn, &actor, Event { action, target: &target, success: true, detail: "" })
                .await
                .unwrap();
        }
        let all = audit::list(&db.conn, &AuditFilter { per_page: 3, page: 1, ..Default::default() }).await.unwrap();
        assert_eq!(all.total_pages, 3);
        assert_eq!(all.entries[0].target, "t6", "newest first");
        assert_eq!(all.entries[0].client_addr, "192.0.2.7");
        let logins =
            audit::list(&db.conn, &AuditFilter { action: "login".into(), per_page: 50, page: 1, ..Default::default() })
                .await
                .unwrap();
        assert_eq!(logins.entries.len(), 4);
        assert!(logins.entries.iter().all(|e| e.action == "login"));
        let nobody =
            audit::list(&db.conn, &AuditFilter { actor: "nobody".into(), per_page: 50, page: 1, ..Default::default() })
                .await
                .unwrap();
        assert!(nobody.entries.is_empty());
    })
    .await;
}
