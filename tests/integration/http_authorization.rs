//! The authorization matrix: every route for anonymous, viewer, admin and a second admin. A change
//! to any cell fails this test.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::http::Method;
use serde_json::json;

const PW: &str = "long enough password";

/// (method, path, JSON body) of one request, made per caller index.
type RestCase<'a> = (&'static str, Box<dyn Fn(usize) -> (Method, String, Option<serde_json::Value>) + 'a>, [u16; 4]);
/// Form fields of one server-function call, made per caller index.
type FnCase<'a> = (&'static str, Box<dyn Fn(usize) -> Vec<(String, String)> + 'a>, [u16; 4]);

struct Callers {
    anonymous: Auth,
    viewer: Auth,
    admin: Auth,
    admin2: Auth,
}

/// Ids of SSH keys made for the matrix: one to read and edit, one per caller to delete.
struct MatrixKeys {
    shared: i64,
    victims: Vec<i64>,
}

async fn matrix_keys(app: &TestApp, admin: &Auth) -> MatrixKeys {
    let mut ids = Vec::new();
    for name in ["shared", "del-anon", "del-viewer", "del-admin", "del-admin2"] {
        let res = app.json(Method::POST, "/api/ssh-keys", admin, Some(json!({"name": name}))).await;
        assert_eq!(res.status, 201, "{}", res.text());
        ids.push(res.json()["ssh_key"]["id"].as_i64().unwrap());
    }
    MatrixKeys { shared: ids[0], victims: ids[1..].to_vec() }
}

async fn app_with_callers(session: bool) -> (TestApp, Callers, Vec<i64>) {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let alice = Auth::Bearer(app.api_login("alice", PW).await);
    app.create_user(&alice, "bob", PW, "admin").await;
    app.create_user(&alice, "vic", PW, "viewer").await;
    let mut victims = Vec::new();
    for name in ["victim-anon", "victim-viewer", "victim-admin", "victim-admin2"] {
        victims.push(app.create_user(&alice, name, PW, "viewer").await);
    }
    let login = |name: &'static str| {
        let app = &app;
        async move {
            if session {
                Auth::Session(app.browser_login(name, PW).await)
            } else {
                Auth::Bearer(app.api_login(name, PW).await)
            }
        }
    };
    let callers = Callers {
        anonymous: Auth::Anonymous,
        viewer: login("vic").await,
        admin: login("alice").await,
        admin2: login("bob").await,
    };
    (app, callers, victims)
}

#[tokio::test]
async fn rest_routes_answer_each_caller_as_specified() {
    let (app, c, victims) = app_with_callers(false).await;
    let keys = matrix_keys(&app, &c.admin).await;
    let who = [("anonymous", &c.anonymous), ("viewer", &c.viewer), ("admin", &c.admin), ("admin2", &c.admin2)];
    let cases: Vec<RestCase> = vec![
        ("list users", Box::new(|_| (Method::GET, "/api/users".into(), None)), [401, 200, 200, 200]),
        ("get user", Box::new(|_| (Method::GET, "/api/users/1".into(), None)), [401, 200, 200, 200]),
        (
            "create user",
            Box::new(|i| {
                (
                    Method::POST,
                    "/api/users".into(),
                    Some(json!({"username": format!("new{i}"), "password": PW, "role": "viewer"})),
                )
            }),
            [401, 403, 201, 201],
        ),
        (
            "update user",
            Box::new(|_| (Method::PUT, format!("/api/users/{}", 4), Some(json!({"is_active": true})))),
            [401, 403, 200, 200],
        ),
        (
            "delete user",
            Box::new(|i| (Method::DELETE, format!("/api/users/{}", victims[i]), None)),
            [401, 403, 200, 200],
        ),
        ("list tokens", Box::new(|_| (Method::GET, "/api/tokens".into(), None)), [401, 200, 200, 200]),
        (
            "create token",
            Box::new(|_| {
                (
                    Method::POST,
                    "/api/tokens".into(),
                    Some(json!({"name": "t", "scopes": ["repo"], "expires_in_days": 1})),
                )
            }),
            [401, 201, 201, 201],
        ),
        ("audit log", Box::new(|_| (Method::GET, "/api/audit".into(), None)), [401, 403, 200, 200]),
        ("who am i", Box::new(|_| (Method::GET, "/api/auth/me".into(), None)), [401, 200, 200, 200]),
        (
            "setup again",
            Box::new(|i| {
                (Method::POST, "/api/setup".into(), Some(json!({"username": format!("root{i}"), "password": PW})))
            }),
            [409, 409, 409, 409],
        ),
        ("unknown api route", Box::new(|_| (Method::GET, "/api/nope".into(), None)), [404, 404, 404, 404]),
        ("list ssh keys", Box::new(|_| (Method::GET, "/api/ssh-keys".into(), None)), [401, 200, 200, 200]),
        ("system key", Box::new(|_| (Method::GET, "/api/ssh-keys/system-key".into(), None)), [401, 200, 200, 200]),
        (
            "generate system key",
            Box::new(|_| (Method::POST, "/api/ssh-keys/generate".into(), Some(json!({"name": "System SSH Key"})))),
            [401, 403, 200, 409],
        ),
        (
            "import system key by path",
            Box::new(|_| {
                (Method::POST, "/api/ssh-keys/import".into(), Some(json!({"name": "S", "private_key_path": "/tmp/x"})))
            }),
            [401, 403, 403, 403],
        ),
        (
            "create named key",
            Box::new(|i| (Method::POST, "/api/ssh-keys".into(), Some(json!({"name": format!("named-{i}")})))),
            [401, 403, 201, 201],
        ),
        (
            "get ssh key",
            Box::new(move |_| (Method::GET, format!("/api/ssh-keys/{}", keys.shared), None)),
            [401, 200, 200, 200],
        ),
        (
            "public key file",
            Box::new(move |_| (Method::GET, format!("/api/ssh-keys/{}/public-key", keys.shared), None)),
            [401, 200, 200, 200],
        ),
        (
            "update ssh key",
            Box::new(move |_| {
                (Method::PUT, format!("/api/ssh-keys/{}", keys.shared), Some(json!({"description": "d"})))
            }),
            [401, 403, 200, 200],
        ),
        (
            "delete ssh key",
            Box::new(|i| (Method::DELETE, format!("/api/ssh-keys/{}", keys.victims[i]), None)),
            [401, 403, 200, 200],
        ),
    ];
    let mut mismatches = Vec::new();
    for (name, make, expected) in &cases {
        for (i, (caller, auth)) in who.iter().enumerate() {
            let (method, path, body) = make(i);
            let res = app.json(method, &path, auth, body).await;
            if res.status.as_u16() != expected[i] {
                mismatches.push(format!(
                    "{name} as {caller}: expected {} got {} {}",
                    expected[i],
                    res.status,
                    res.text()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "authorization matrix changed:\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn server_functions_enforce_roles_for_browser_sessions() {
    let (app, c, victims) = app_with_callers(true).await;
    let who = [&c.anonymous, &c.viewer, &c.admin, &c.admin2];
    let cases: Vec<FnCase> = vec![
        ("list_users", Box::new(|_| vec![]), [401, 200, 200, 200]),
        (
            "create_user",
            Box::new(|i| {
                vec![
                    ("username".into(), format!("web{i}")),
                    ("password".into(), PW.into()),
                    ("role".into(), "viewer".into()),
                ]
            }),
            [401, 403, 200, 200],
        ),
        (
            "change_user_role",
            Box::new(|_| vec![("id".into(), "4".into()), ("role".into(), "viewer".into())]),
            [401, 403, 200, 200],
        ),
        (
            "set_user_active",
            Box::new(|_| vec![("id".into(), "4".into()), ("active".into(), "true".into())]),
            [401, 403, 200, 200],
        ),
        (
            "reset_user_password",
            Box::new(|_| vec![("id".into(), "4".into()), ("password".into(), PW.into())]),
            [401, 403, 200, 200],
        ),
        ("delete_user", Box::new(|i| vec![("id".into(), victims[i].to_string())]), [401, 403, 200, 200]),
        ("list_tokens", Box::new(|_| vec![]), [401, 200, 200, 200]),
        ("list_ssh_keys", Box::new(|_| vec![]), [401, 200, 200, 200]),
        (
            "generate_ssh_key",
            Box::new(|i| vec![("name".into(), format!("web-key-{i}")), ("key_spec".into(), "ed25519".into())]),
            [401, 403, 200, 200],
        ),
        (
            "import_ssh_key",
            Box::new(|_| vec![("name".into(), "pasted".into()), ("private_key".into(), "not a key".into())]),
            [401, 403, 422, 422],
        ),
        (
            "rename_ssh_key",
            Box::new(|_| vec![("id".into(), "999".into()), ("name".into(), "x".into())]),
            [401, 403, 404, 404],
        ),
        ("delete_ssh_key", Box::new(|_| vec![("id".into(), "999".into())]), [401, 403, 404, 404]),
        (
            "load_audit_page",
            Box::new(|_| vec![("action".into(), "".into()), ("actor".into(), "".into()), ("page".into(), "1".into())]),
            [401, 403, 200, 200],
        ),
    ];
    let mut mismatches = Vec::new();
    for (name, make, expected) in &cases {
        for (i, auth) in who.iter().enumerate() {
            let form = make(i);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let res = app.server_fn(name, auth, &pairs).await;
            if res.status.as_u16() != expected[i] {
                mismatches.push(format!(
                    "{name} as caller {i}: expected {} got {} {}",
                    expected[i],
                    res.status,
                    res.text()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "server function matrix changed:\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn a_second_admin_may_change_the_first_but_the_last_admin_stays() {
    let (app, c, _) = app_with_callers(false).await;
    let res = app.json(Method::PUT, "/api/users/1", &c.admin2, Some(json!({"role": "viewer"}))).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["user"]["role"], "viewer");
    // The role change ended alice's tokens at once.
    let res = app.json(Method::POST, "/api/users", &c.admin, Some(json!({"username": "x1", "password": PW}))).await;
    assert_eq!(res.status, 401);
    // bob is now the last admin: he cannot demote or delete himself.
    let res = app.json(Method::PUT, "/api/users/2", &c.admin2, Some(json!({"role": "viewer"}))).await;
    assert_eq!(res.status, 409, "{}", res.text());
    let res = app.json(Method::DELETE, "/api/users/2", &c.admin2, None).await;
    assert_eq!(res.status, 409);
}

#[tokio::test]
async fn token_scopes_limit_routes_and_never_exceed_the_role() {
    let (app, c, _) = app_with_callers(false).await;
    let make = |auth: Auth, scopes: Vec<&'static str>| {
        let app = &app;
        async move {
            let res =
                app.json(Method::POST, "/api/tokens", &auth, Some(json!({"name": "scoped", "scopes": scopes}))).await;
            assert_eq!(res.status, 201, "{}", res.text());
            let body = res.json();
            assert_eq!(body["success"], true);
            Auth::Bearer(body["api_token"]["token"].as_str().unwrap().to_string())
        }
    };
    let read_only = make(c.admin.clone(), vec!["read:public_key"]).await;
    let res = app.json(Method::GET, "/api/users", &read_only, None).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.header("x-accepted-oauth-scopes").as_deref(), Some("admin"));
    assert!(res.json()["detail"].as_str().unwrap().contains("admin"));

    let viewer_admin_scope = make(c.viewer.clone(), vec!["admin"]).await;
    let res = app.json(Method::GET, "/api/users", &viewer_admin_scope, None).await;
    assert_eq!(res.status, 200, "reading is within a viewer's role");
    let res = app
        .json(Method::POST, "/api/users", &viewer_admin_scope, Some(json!({"username": "sneaky", "password": PW})))
        .await;
    assert_eq!(res.status, 403, "the admin scope does not make a viewer an admin");
}
