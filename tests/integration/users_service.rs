use crate::common::{on_every_engine, sqlite};
use keyhaven::model::Role;
use keyhaven::server::error::ServiceError;
use keyhaven::server::services::accounts::{self, UserChanges};
use keyhaven::server::services::audit::Actor;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn setup_creates_exactly_one_first_admin() {
    on_every_engine(|db| async move {
        assert!(!accounts::setup_done(&db.conn).await.unwrap());
        let admin = accounts::create_first_admin(&db.conn, "Alice", PASSWORD, "10.0.0.1").await.unwrap();
        assert_eq!(admin.username, "alice", "usernames are stored lower-case");
        assert_eq!(admin.role, "admin");
        assert!(admin.password_hash.starts_with("$argon2id$"));
        assert!(accounts::setup_done(&db.conn).await.unwrap());
        let again = accounts::create_first_admin(&db.conn, "bob", PASSWORD, "10.0.0.1").await;
        assert!(matches!(again, Err(ServiceError::Conflict { .. })), "{} second setup", db.engine);
        assert_eq!(accounts::list_users(&db.conn).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn concurrent_setups_have_exactly_one_winner() {
    on_every_engine(|db| async move {
        let attempts = (0..4).map(|i| {
            let conn = db.conn.clone();
            async move { accounts::create_first_admin(&conn, &format!("admin{i}"), PASSWORD, "x").await }
        });
        let results = futures_join_all(attempts).await;
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "{}: {results:?}", db.engine);
        assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(ServiceError::Conflict { .. }))));
        assert_eq!(accounts::list_users(&db.conn).await.unwrap().len(), 1);
    })
    .await;
}

/// Runs futures concurrently on the runtime (no extra dependency for join_all).
async fn futures_join_all<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn usernames_are_validated_and_unique() {
    let db = sqlite().await;
    for bad in ["", "   ", &"a".repeat(200), "-dash", "has space", "semi;colon", ".dot"] {
        let err = accounts::create_user(&db.conn, &Actor::cli(), bad, PASSWORD, Role::Viewer).await.unwrap_err();
        assert!(matches!(err, ServiceError::Invalid { field: "username", .. }), "{bad:?}: {err:?}");
    }
    accounts::create_user(&db.conn, &Actor::cli(), "carol", PASSWORD, Role::Viewer).await.unwrap();
    let dup = accounts::create_user(&db.conn, &Actor::cli(), "CAROL", PASSWORD, Role::Admin).await.unwrap_err();
    assert!(matches!(dup, ServiceError::Conflict { field: "username", .. }));
    let short = accounts::create_user(&db.conn, &Actor::cli(), "dave", "short", Role::Viewer).await.unwrap_err();
    assert!(matches!(short, ServiceError::Invalid { field: "password", .. }));
    assert_eq!(accounts::list_users(&db.conn).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_disabled_nor_deleted() {
    on_every_engine(|db| async move {
        let admin = accounts::create_first_admin(&db.conn, "root", PASSWORD, "x").await.unwrap();
        let other = Actor { id: None, name: "cli".into(), client_addr: "local".into() };
        for changes in [
            UserChanges { role: Some(Role::Viewer), ..Default::default() },
            UserChanges { is_active: Some(false), ..Default::default() },
        ] {
            let err = accounts::update_user(&db.conn, &other, admin.id, changes).await.unwrap_err();
            assert!(matches!(err, ServiceError::Conflict { .. }));
        }
        assert!(matches!(accounts::delete_user(&db.conn, &other, admin.id).await, Err(ServiceError::Conflict { .. })));
        // With a second admin, the first may be demoted.
        accounts::create_user(&db.conn, &other, "second", PASSWORD, Role::Admin).await.unwrap();
        let demoted = accounts::update_user(
            &db.conn,
            &other,
            admin.id,
            UserChanges { role: Some(Role::Viewer), ..Default::default() },
        )
        .await
        .unwrap();
        assert_eq!(demoted.role, "viewer");
        assert_eq!(demoted.auth_version, admin.auth_version + 1, "a role change ends old sessions");
    })
    .await;
}

#[tokio::test]
async fn authentication_checks_password_and_active_flag() {
    on_every_engine(|db| async move {
        let user = accounts::create_user(&db.conn, &Actor::cli(), "erin", PASSWORD, Role::Viewer).await.unwrap();
        assert!(user.last_login_at.is_none());
        let ok = accounts::authenticate(&db.conn, "ERIN", PASSWORD).await.unwrap();
        assert!(ok.last_login_at.is_some());
        assert!(matches!(
            accounts::authenticate(&db.conn, "erin", "wrong password!").await,
            Err(ServiceError::Unauthorized(_))
        ));
        assert!(matches!(
            accounts::authenticate(&db.conn, "nobody", PASSWORD).await,
            Err(ServiceError::Unauthorized(_))
        ));
        accounts::update_user(
            &db.conn,
            &Actor::cli(),
            user.id,
            UserChanges { is_active: Some(false), ..Default::default() },
        )
        .await
        .unwrap();
        assert!(matches!(accounts::authenticate(&db.conn, "erin", PASSWORD).await, Err(ServiceError::Unauthorized(_))));
        let reset =
            UserChanges { is_active: Some(true), password: Some("a brand new password".into()), ..Default::default() };
        accounts::update_user(&db.conn, &Actor::cli(), user.id, reset).await.unwrap();
        assert!(accounts::authenticate(&db.conn, "erin", PASSWORD).await.is_err());
        assert!(accounts::authenticate(&db.conn, "erin", "a brand new password").await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn an_update_that_changes_nothing_keeps_sessions_and_tokens() {
    use keyhaven::server::services::accounts;
    on_every_engine(|db| async move {
        let actor = Actor::cli();
        let user = accounts::create_user(&db.conn, &actor, "noop", "long enough pass", Role::Viewer).await.unwrap();
        let login = accounts::create_login_token(&db.conn, &actor, &user, chrono::Duration::hours(1)).await.unwrap();
        for changes in [
            UserChanges::default(),
            UserChanges { role: Some(Role::Viewer), is_active: Some(true), ..Default::default() },
        ] {
            let after = accounts::update_user(&db.conn, &actor, user.id, changes).await.unwrap();
            assert_eq!(after.auth_version, user.auth_version, "sessions are not ended");
        }
        assert!(accounts::authenticate_token(&db.conn, &login.token).await.is_ok(), "tokens live on");
    })
    .await;
}
