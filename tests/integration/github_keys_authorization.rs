//! The authorization matrix of the keys API and its server functions: anonymous, a viewer who owns
//! the repository, an admin, and a viewer who does not. A change to any cell fails this test.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::http::Method;
use serde_json::{Value, json};

const PW: &str = "long enough password";

/// (name, method, path per caller, body per caller, expected status per caller).
type Case<'a> =
    (&'static str, Method, Box<dyn Fn(usize) -> String + 'a>, Option<Box<dyn Fn(usize) -> Value + 'a>>, [u16; 4]);

async fn fresh_key() -> String {
    let spec = keyhaven::server::ssh::keys::KeySpec::parse("ed25519", None).unwrap();
    keyhaven::server::ssh::keys::generate(spec, "matrix").await.unwrap().public_openssh
}

async fn created_id(app: &TestApp, auth: &Auth, path: &str, body: Value) -> i64 {
    let res = app.json(Method::POST, path, auth, Some(body)).await;
    assert_eq!(res.status, 201, "{path}: {}", res.text());
    res.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn keys_api_routes_answer_each_caller_as_specified() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let alice = Auth::Bearer(app.api_login("alice", PW).await);
    app.create_user(&alice, "vic", PW, "viewer").await;
    app.create_user(&alice, "carol", PW, "viewer").await;
    let vic = Auth::Bearer(app.api_login("vic", PW).await);
    let carol = Auth::Bearer(app.api_login("carol", PW).await);
    let callers = [Auth::Anonymous, vic.clone(), alice.clone(), carol.clone()];

    let vic_key = created_id(&app, &vic, "/user/keys", json!({"key": fresh_key().await})).await;
    let vic_doomed = created_id(&app, &vic, "/user/keys", json!({"key": fresh_key().await})).await;
    created_id(&app, &vic, "/user/repos", json!({"name": "vault"})).await;
    let deploy = created_id(&app, &vic, "/repos/vic/vault/keys", json!({"key": fresh_key().await})).await;
    let mut deploy_victims = Vec::new();
    for i in 0..4 {
        deploy_victims.push(created_id(&app, &vic, "/repos/vic/vault/keys", json!({"key": fresh_key().await})).await);
        created_id(&app, &vic, "/user/repos", json!({"name": format!("doomed-{i}")})).await;
    }
    let mut fresh = Vec::new();
    for _ in 0..8 {
        fresh.push(fresh_key().await);
    }

    let cases: Vec<Case> = vec![
        ("list own keys", Method::GET, Box::new(|_| "/user/keys".into()), None, [401, 200, 200, 200]),
        (
            "add own key",
            Method::POST,
            Box::new(|_| "/user/keys".into()),
            Some(Box::new(|i| json!({"key": fresh[i]}))),
            [401, 201, 201, 201],
        ),
        ("get vic's key", Method::GET, Box::new(move |_| format!("/user/keys/{vic_key}")), None, [401, 200, 404, 404]),
        (
            "delete vic's key",
            Method::DELETE,
            Box::new(move |_| format!("/user/keys/{vic_doomed}")),
            None,
            [401, 204, 404, 404],
        ),
        ("public keys of vic", Method::GET, Box::new(|_| "/users/vic/keys".into()), None, [200, 200, 200, 200]),
        ("vic.keys", Method::GET, Box::new(|_| "/vic.keys".into()), None, [200, 200, 200, 200]),
        (
            "create repo",
            Method::POST,
            Box::new(|_| "/user/repos".into()),
            Some(Box::new(|i| json!({"name": format!("mine-{i}")}))),
            [401, 201, 201, 201],
        ),
        ("list own repos", Method::GET, Box::new(|_| "/user/repos".into()), None, [401, 200, 200, 200]),
        ("get vic's repo", Method::GET, Box::new(|_| "/repos/vic/vault".into()), None, [401, 200, 200, 200]),
        ("missing repo", Method::GET, Box::new(|_| "/repos/vic/missing".into()), None, [401, 404, 404, 404]),
        ("list deploy keys", Method::GET, Box::new(|_| "/repos/vic/vault/keys".into()), None, [401, 200, 200, 403]),
        (
            "add deploy key",
            Method::POST,
            Box::new(|_| "/repos/vic/vault/keys".into()),
            Some(Box::new(|i| json!({"key": fresh[4 + i]}))),
            [401, 201, 201, 403],
        ),
        (
            "get deploy key",
            Method::GET,
            Box::new(move |_| format!("/repos/vic/vault/keys/{deploy}")),
            None,
            [401, 200, 200, 403],
        ),
        (
            "delete deploy key",
            Method::DELETE,
            Box::new(|i| format!("/repos/vic/vault/keys/{}", deploy_victims[i])),
            None,
            [401, 204, 204, 403],
        ),
        (
            "delete vic's repo",
            Method::DELETE,
            Box::new(|i| format!("/repos/vic/doomed-{i}")),
            None,
            [401, 204, 204, 403],
        ),
    ];
    let mut failures = Vec::new();
    for (name, method, path, body, expected) in &cases {
        for (i, caller) in callers.iter().enumerate() {
            let res = app.json(method.clone(), &path(i), caller, body.as_ref().map(|b| b(i))).await;
            if res.status.as_u16() != expected[i] {
                failures.push(format!(
                    "{name} as caller {i}: {} (expected {}) {}",
                    res.status,
                    expected[i],
                    res.text()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn page_server_functions_check_the_caller_on_the_server() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let alice_token = Auth::Bearer(app.api_login("alice", PW).await);
    app.create_user(&alice_token, "vic", PW, "viewer").await;
    app.create_user(&alice_token, "carol", PW, "viewer").await;
    let vic = Auth::Session(app.browser_login("vic", PW).await);
    let carol = Auth::Session(app.browser_login("carol", PW).await);
    let alice = Auth::Session(app.browser_login("alice", PW).await);
    let key = fresh_key().await;
    let res = app.server_fn("create_repository", &vic, &[("name", "vault"), ("description", "")]).await;
    assert!(res.status.is_success() || res.status.is_redirection(), "{} {}", res.status, res.text());

    let anonymous = app.server_fn("list_repositories", &Auth::Anonymous, &[]).await;
    assert_eq!(anonymous.status, 401);
    let listed = app.server_fn("list_repositories", &carol, &[]).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()[0]["can_manage"], false);
    assert_eq!(listed.json()[0]["deploy_key_count"], 0, "counts are for managers only");

    let add = [("owner", "vic"), ("name", "vault"), ("title", "ci"), ("key", key.as_str())];
    assert_eq!(app.server_fn("add_deploy_key", &carol, &add).await.status, 403);
    assert_eq!(app.server_fn("add_deploy_key", &alice, &add).await.status, 200);
    let detail = app.server_fn("get_repository_detail", &carol, &[("owner", "vic"), ("name", "vault")]).await;
    assert_eq!(detail.json()["deploy_keys"], json!([]), "a non-manager sees no deploy keys");
    let detail = app.server_fn("get_repository_detail", &vic, &[("owner", "vic"), ("name", "vault")]).await;
    let id = detail.json()["deploy_keys"][0]["id"].as_i64().unwrap().to_string();
    let del = [("owner", "vic"), ("name", "vault"), ("id", id.as_str())];
    assert_eq!(app.server_fn("delete_deploy_key", &carol, &del).await.status, 403);
    let repo = [("owner", "vic"), ("name", "vault")];
    assert_eq!(app.server_fn("delete_repository", &carol, &repo).await.status, 403);
    assert_eq!(app.server_fn("delete_deploy_key", &vic, &del).await.status, 200);

    let own = [("title", "mine"), ("key", key.as_str())];
    assert_eq!(app.server_fn("add_my_public_key", &Auth::Anonymous, &own).await.status, 401);
    assert_eq!(app.server_fn("add_my_public_key", &carol, &own).await.status, 200);
    let carols = app.server_fn("list_my_public_keys", &carol, &[]).await.json();
    let carol_key = carols[0]["id"].as_i64().unwrap().to_string();
    let gone = app.server_fn("delete_my_public_key", &vic, &[("id", carol_key.as_str())]).await;
    assert_eq!(gone.status, 404, "another user's key is not found");
    assert_eq!(app.server_fn("list_my_public_keys", &carol, &[]).await.json().as_array().unwrap().len(), 1);
}
