use crate::common::on_every_engine;
use keyhaven::model::{Role, Scope};
use keyhaven::server::error::ServiceError;
use keyhaven::server::services::accounts::{self, KIND_PERSONAL, TokenRequest, UserChanges};
use keyhaven::server::services::audit::Actor;
use sea_orm::EntityTrait;

#[tokio::test]
async fn tokens_are_stored_hashed_and_authenticate_until_revoked() {
    on_every_engine(|db| async move {
        let user =
            accounts::create_user(&db.conn, &Actor::cli(), "frank", "long enough pass", Role::Viewer).await.unwrap();
        let request = TokenRequest {
            name: "ci",
            scopes: vec![Scope::ReadPublicKey],
            expires_in_days: Some(30),
            kind: KIND_PERSONAL,
            made_with: None,
        };
        let created = accounts::create_token(&db.conn, &Actor::cli(), &user, request).await.unwrap();
        assert!(created.token.starts_with("khp_"));
        let rows = keyhaven::server::entities::api_token::Entity::find().all(&db.conn).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].token_hash, created.token, "the token itself is never stored");
        assert!(!rows[0].token_hash.contains(&created.token[4..]));

        let (owner, grant) = accounts::authenticate_token(&db.conn, &created.token).await.unwrap();
        assert_eq!(owner.id, user.id);
        assert_eq!(grant.scopes, vec![Scope::ReadPublicKey]);
        let listed = accounts::list_tokens(&db.conn, user.id).await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "use is recorded");

        accounts::revoke_token(&db.conn, &Actor::cli(), user.id, created.info.id).await.unwrap();
        assert!(matches!(
            accounts::authenticate_token(&db.conn, &created.token).await,
            Err(ServiceError::Unauthorized(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn expired_tokens_and_tokens_of_disabled_users_fail() {
    on_every_engine(|db| async move {
        let user =
            accounts::create_user(&db.conn, &Actor::cli(), "gina", "long enough pass", Role::Admin).await.unwrap();
        accounts::create_user(&db.conn, &Actor::cli(), "helper", "long enough pass", Role::Admin).await.unwrap();
        let expired =
            accounts::create_login_token(&db.conn, &Actor::cli(), &user, chrono::Duration::seconds(-1)).await.unwrap();
        assert!(accounts::authenticate_token(&db.conn, &expired.token).await.is_err());
        let live =
            accounts::create_login_token(&db.conn, &Actor::cli(), &user, chrono::Duration::hours(1)).await.unwrap();
        assert!(accounts::authenticate_token(&db.conn, &live.token).await.is_ok());
        accounts::update_user(
            &db.conn,
            &Actor::cli(),
            user.id,
            UserChanges { is_active: Some(false), ..Default::default() },
        )
        .await
        .unwrap();
        assert!(accounts::authenticate_token(&db.conn, &live.token).await.is_err());
        assert!(accounts::authenticate_token(&db.conn, "khp_made_up").await.is_err());
    })
    .await;
}

#[tokio::test]
async fn token_requests_are_validated_and_revoking_anothers_token_is_not_found() {
    on_every_engine(|db| async move {
        let a = accounts::create_user(&db.conn, &Actor::cli(), "ivan", "long enough pass", Role::Viewer).await.unwrap();
        let b = accounts::create_user(&db.conn, &Actor::cli(), "judy", "long enough pass", Role::Viewer).await.unwrap();
        let bad = [
            TokenRequest {
                name: " ",
                scopes: vec![Scope::Repo],
                expires_in_days: None,
                kind: KIND_PERSONAL,
                made_with: None,
            },
            TokenRequest { name: "x", scopes: vec![], expires_in_days: None, kind: KIND_PERSONAL, made_with: None },
            TokenRequest {
                name: "x",
                scopes: vec![Scope::Repo],
                expires_in_days: Some(0),
                kind: KIND_PERSONAL,
                made_with: None,
            },
        ];
        for (request, field) in bad.into_iter().zip(["name", "scopes", "expires_in_days"]) {
            let err = accounts::create_token(&db.conn, &Actor::cli(), &a, request).await.unwrap_err();
            assert!(matches!(err, ServiceError::Invalid { field: f, .. } if f == field), "{err:?}");
        }
        assert!(matches!(
            accounts::parse_scopes(&["write:org".into()]),
            Err(ServiceError::Invalid { field: "scopes", .. })
        ));
        let request = TokenRequest {
            name: "mine",
            scopes: vec![Scope::Repo],
            expires_in_days: None,
            kind: KIND_PERSONAL,
            made_with: None,
        };
        let created = accounts::create_token(&db.conn, &Actor::cli(), &a, request).await.unwrap();
        let err = accounts::revoke_token(&db.conn, &Actor::cli(), b.id, created.info.id).await.unwrap_err();
        assert!(matches!(err, ServiceError::NotFound(_)));
        assert!(accounts::authenticate_token(&db.conn, &created.token).await.is_ok(), "still valid");
    })
    .await;
}

#[tokio::test]
async fn a_password_role_or_status_change_ends_every_token_at_once() {
    on_every_engine(|db| async move {
        let actor = Actor::cli();
        let user = accounts::create_user(&db.conn, &actor, "kim", "long enough pass", Role::Admin).await.unwrap();
        accounts::create_user(&db.conn, &actor, "spare", "long enough pass", Role::Admin).await.unwrap();
        let changes = [
            UserChanges { password: Some("another long password".into()), ..Default::default() },
            UserChanges { role: Some(Role::Viewer), ..Default::default() },
            UserChanges { is_active: Some(false), ..Default::default() },
        ];
        for change in changes {
            accounts::update_user(
                &db.conn,
                &actor,
                user.id,
                UserChanges { is_active: Some(true), ..Default::default() },
            )
            .await
            .unwrap();
            let owner = accounts::get_user(&db.conn, user.id).await.unwrap();
            let login =
                accounts::create_login_token(&db.conn, &actor, &owner, chrono::Duration::hours(1)).await.unwrap();
            let request = TokenRequest {
                name: "ci",
                scopes: vec![Scope::Repo],
                expires_in_days: None,
                kind: KIND_PERSONAL,
                made_with: None,
            };
            let personal = accounts::create_token(&db.conn, &actor, &owner, request).await.unwrap();
            accounts::update_user(&db.conn, &actor, user.id, change).await.unwrap();
            accounts::update_user(
                &db.conn,
                &actor,
                user.id,
                UserChanges { is_active: Some(true), ..Default::default() },
            )
            .await
            .unwrap();
            assert!(accounts::authenticate_token(&db.conn, &login.token).await.is_err(), "login token ended");
            assert!(accounts::authenticate_token(&db.conn, &personal.token).await.is_err(), "personal token ended");
        }
    })
    .await;
}

#[tokio::test]
async fn a_token_cannot_make_a_token_that_can_do_more_or_live_longer() {
    on_every_engine(|db| async move {
        let actor = Actor::cli();
        let user = accounts::create_user(&db.conn, &actor, "lena", "long enough pass", Role::Admin).await.unwrap();
        let short = accounts::create_login_token(&db.conn, &actor, &user, chrono::Duration::days(2)).await.unwrap();
        let (_, grant) = accounts::authenticate_token(&db.conn, &short.token).await.unwrap();
        let ask = |scopes: Vec<Scope>, days: Option<u32>| TokenRequest {
            name: "child",
            scopes,
            expires_in_days: days,
            kind: KIND_PERSONAL,
            made_with: Some(&grant),
        };
        let never = accounts::create_token(&db.conn, &actor, &user, ask(vec![Scope::Repo], None)).await.unwrap();
        let longer = accounts::create_token(&db.conn, &actor, &user, ask(vec![Scope::Repo], Some(3))).await.unwrap();
        let limit = grant.expires_at.map(|at| keyhaven::server::services::rfc3339(&at));
        assert_eq!(never.info.expires_at, limit, "'never' became the parent's expiry");
        assert_eq!(longer.info.expires_at, limit, "three days became the parent's two");
        let shorter = accounts::create_token(&db.conn, &actor, &user, ask(vec![Scope::Repo], Some(1))).await.unwrap();
        assert!(shorter.info.expires_at < limit, "a shorter life is kept");

        let request = TokenRequest {
            name: "reader",
            scopes: vec![Scope::ReadPublicKey],
            expires_in_days: None,
            kind: KIND_PERSONAL,
            made_with: None,
        };
        let reader = accounts::create_token(&db.conn, &actor, &user, request).await.unwrap();
        let (_, narrow) = accounts::authenticate_token(&db.conn, &reader.token).await.unwrap();
        let wider = TokenRequest {
            name: "wider",
            scopes: vec![Scope::Admin],
            expires_in_days: None,
            kind: KIND_PERSONAL,
            made_with: Some(&narrow),
        };
        let err = accounts::create_token(&db.conn, &actor, &user, wider).await.unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn login_tokens_are_listed_and_revocable_and_expired_rows_are_purged() {
    on_every_engine(|db| async move {
        let actor = Actor::cli();
        let user = accounts::create_user(&db.conn, &actor, "mia", "long enough pass", Role::Viewer).await.unwrap();
        accounts::create_login_token(&db.conn, &actor, &user, chrono::Duration::seconds(-5)).await.unwrap();
        let login = accounts::create_login_token(&db.conn, &actor, &user, chrono::Duration::hours(1)).await.unwrap();
        let rows = keyhaven::server::entities::api_token::Entity::find().all(&db.conn).await.unwrap();
        assert_eq!(rows.len(), 1, "the expired token was purged when the next one was made");
        let listed = accounts::list_tokens(&db.conn, user.id).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].kind, "login");
        accounts::revoke_token(&db.conn, &actor, user.id, listed[0].id).await.unwrap();
        assert!(accounts::authenticate_token(&db.conn, &login.token).await.is_err());
    })
    .await;
}
