//! The GitHub-shaped keys API: every example request of the issue with its status and exact field
//! set, who may do what, and pagination. On SQLite and PostgreSQL.

use crate::common::http::{Auth, TestApp};
use crate::common::on_every_engine;
use axum::http::Method;
use serde_json::{Value, json};

const PW: &str = "correct horse battery";
const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti alice@laptop";
const BASE: &str = "http://127.0.0.1:3000";

fn fields(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    keys
}

const KEY_FIELDS: [&str; 8] = ["created_at", "fingerprint", "id", "key", "read_only", "title", "url", "verified"];

/// An ed25519 public key line made in process (fast enough for hundreds).
async fn fresh_key() -> String {
    let spec = keyhaven::server::ssh::keys::KeySpec::parse("ed25519", None).unwrap();
    keyhaven::server::ssh::keys::generate(spec, "made@test").await.unwrap().public_openssh
}

async fn token_with(app: &TestApp, auth: &Auth, scopes: &[&str]) -> Auth {
    let res = app.json(Method::POST, "/api/tokens", auth, Some(json!({"name": "t", "scopes": scopes}))).await;
    assert_eq!(res.status, 201, "{}", res.text());
    Auth::Bearer(res.json()["api_token"]["token"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn user_keys_have_githubs_shapes_and_other_peoples_ids_are_not_found() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        app.create_user(&alice, "bob", PW, "viewer").await;
        let bob = Auth::Bearer(app.api_login("bob", PW).await);

        let res = app.json(Method::POST, "/user/keys", &alice, Some(json!({"title": "laptop", "key": ED}))).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let key = res.json();
        assert_eq!(fields(&key), KEY_FIELDS);
        let id = key["id"].as_i64().unwrap();
        assert_eq!(key["title"], "laptop");
        assert_eq!(key["key"], ED.rsplit_once(' ').unwrap().0, "stored without its comment");
        assert_eq!(key["verified"], false);
        assert_eq!(key["read_only"], false);
        assert_eq!(key["url"], format!("{BASE}/user/keys/{id}"));
        assert!(key["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
        assert!(key["created_at"].as_str().unwrap().ends_with('Z'));

        let list = app.json(Method::GET, "/user/keys", &alice, None).await;
        assert_eq!(list.status, 200);
        assert_eq!(list.json(), json!([key.clone()]));
        assert_eq!(list.header("link"), None, "one page needs no Link header");
        let one = app.json(Method::GET, &format!("/user/keys/{id}"), &alice, None).await;
        assert_eq!(one.json(), key);

        // Bob sees none of it, and alice's id is simply not found for him.
        assert_eq!(app.json(Method::GET, "/user/keys", &bob, None).await.json(), json!([]));
        for method in [Method::GET, Method::DELETE] {
            let res = app.json(method, &format!("/user/keys/{id}"), &bob, None).await;
            assert_eq!(res.status, 404);
            assert_eq!(res.json()["message"], "Not Found");
            assert!(res.json()["documentation_url"].is_string());
        }

        let public = app.json(Method::GET, "/users/alice/keys", &Auth::Anonymous, None).await;
        assert_eq!(public.status, 200);
        assert_eq!(public.json(), json!([{"id": id, "key": key["key"], "url": key["url"]}]));
        let plain = app.json(Method::GET, "/alice.keys", &Auth::Anonymous, None).await;
        assert_eq!(plain.status, 200);
        assert!(plain.header("content-type").unwrap().starts_with("text/plain"));
        assert_eq!(plain.text(), format!("{}\n", key["key"].as_str().unwrap()));
        assert_eq!(app.json(Method::GET, "/users/nobody/keys", &Auth::Anonymous, None).await.status, 404);
        assert_eq!(app.json(Method::GET, "/nobody.keys", &Auth::Anonymous, None).await.status, 404);

        let gone = app.json(Method::DELETE, &format!("/user/keys/{id}"), &alice, None).await;
        assert_eq!(gone.status, 204);
        assert!(gone.body.is_empty());
        assert_eq!(app.json(Method::GET, &format!("/user/keys/{id}"), &alice, None).await.status, 404);
        assert_eq!(app.json(Method::GET, "/alice.keys", &Auth::Anonymous, None).await.text(), "");

        let audit = app.json(Method::GET, "/api/audit?action=public_key", &alice, None).await.json();
        let actions: Vec<&str> =
            audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["public_key.deleted", "public_key.added"]);
    })
    .await;
}

#[tokio::test]
async fn authentication_scopes_and_github_error_shapes() {
    let app = TestApp::new(crate::common::sqlite().await);
    app.setup_admin("alice", PW).await;
    let alice = Auth::Bearer(app.api_login("alice", PW).await);
    let body = json!({"title": "t", "key": ED});

    let res = app.json(Method::POST, "/user/keys", &Auth::Anonymous, Some(body.clone())).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.json()["message"], "Requires authentication");
    let res = app.json(Method::GET, "/user/keys", &Auth::Bearer("khp_wrong".into()), None).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.json()["message"], "Bad credentials");

    let reader = token_with(&app, &alice, &["read:public_key"]).await;
    assert_eq!(app.json(Method::GET, "/user/keys", &reader, None).await.status, 200);
    let res = app.json(Method::POST, "/user/keys", &reader, Some(body.clone())).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.header("x-accepted-oauth-scopes").as_deref(), Some("write:public_key"));
    let writer = token_with(&app, &alice, &["write:public_key"]).await;
    let created = app.json(Method::POST, "/user/keys", &writer, Some(body.clone())).await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_i64().unwrap();
    let res = app.json(Method::DELETE, &format!("/user/keys/{id}"), &writer, None).await;
    assert_eq!(res.status, 403, "deleting needs admin:public_key");
    assert_eq!(app.json(Method::GET, "/user/repos", &writer, None).await.status, 403, "repos need the repo scope");

    let res = app.raw(Method::POST, "/user/keys", &alice, "application/json", "{\"title\": ").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["message"], "Problems parsing JSON");
    // curl -d sends a form content type; GitHub reads the body as JSON anyway.
    let form_typed =
        app.raw(Method::POST, "/user/repos", &alice, "application/x-www-form-urlencoded", r#"{"name":"r"}"#);
    assert_eq!(form_typed.await.status, 201);

    let res = app.json(Method::POST, "/user/keys", &alice, Some(json!({"title": "again", "key": ED}))).await;
    assert_eq!(res.status, 422);
    let answer = res.json();
    assert_eq!(fields(&answer), ["documentation_url", "errors", "message"]);
    assert_eq!(answer["message"], "Validation Failed", "GitHub's top-level message; the reason is in errors");
    assert_eq!(
        answer["errors"],
        json!([{"resource": "PublicKey", "field": "key", "code": "already_exists", "message": "Key is already in use"}])
    );
    let res = app.json(Method::POST, "/user/keys", &alice, Some(json!({"title": "no key"}))).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.json()["errors"][0]["message"], "Key is required");
    assert_eq!(res.json()["errors"][0]["code"], "missing_field");
    let res = app.json(Method::GET, "/user/keys?per_page=lots", &alice, None).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.json()["errors"][0]["field"], "per_page");
}

#[tokio::test]
async fn repositories_and_deploy_keys_for_owners_and_admins_only() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        app.create_user(&alice, "bob", PW, "viewer").await;
        app.create_user(&alice, "carol", PW, "viewer").await;
        let bob = Auth::Bearer(app.api_login("bob", PW).await);
        let carol = Auth::Bearer(app.api_login("carol", PW).await);

        let res = app
            .json(Method::POST, "/user/repos", &bob, Some(json!({"name": "nas-backup", "description": "borg"})))
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        let repo = res.json();
        assert_eq!(
            fields(&repo),
            ["created_at", "description", "full_name", "id", "keys_url", "name", "owner", "updated_at", "url"]
        );
        assert_eq!(repo["full_name"], "bob/nas-backup");
        assert_eq!(repo["owner"]["login"], "bob");
        assert_eq!(repo["url"], format!("{BASE}/repos/bob/nas-backup"));
        let again = app.json(Method::POST, "/user/repos", &bob, Some(json!({"name": "nas-backup"}))).await;
        assert_eq!(again.status, 422);
        assert_eq!(again.json()["errors"][0]["resource"], "Repository");
        assert_eq!(app.json(Method::GET, "/user/repos", &bob, None).await.json(), json!([repo.clone()]));
        assert_eq!(
            app.json(Method::GET, "/repos/bob/nas-backup", &carol, None).await.json(),
            repo,
            "everyone signed in sees it"
        );
        assert_eq!(app.json(Method::GET, "/repos/bob/missing", &bob, None).await.status, 404);
        assert_eq!(app.json(Method::GET, "/repos/nobody/nas-backup", &bob, None).await.status, 404);

        let keys = "/repos/bob/nas-backup/keys";
        let ci = fresh_key().await;
        let res = app.json(Method::POST, keys, &bob, Some(json!({"title": "ci-server", "key": ci}))).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let deploy = res.json();
        assert_eq!(fields(&deploy), KEY_FIELDS);
        assert_eq!(deploy["read_only"], true, "read_only defaults to true");
        let id = deploy["id"].as_i64().unwrap();
        assert_eq!(deploy["url"], format!("{BASE}{keys}/{id}"));
        let writable = json!({"title": "pusher", "key": fresh_key().await, "read_only": false});
        let res = app.json(Method::POST, keys, &alice, Some(writable)).await;
        assert_eq!(res.status, 201, "an admin manages anyone's deploy keys");
        assert_eq!(res.json()["read_only"], false);
        let pusher = res.json()["id"].as_i64().unwrap();

        let listed = app.json(Method::GET, keys, &bob, None).await.json();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert_eq!(listed[0], deploy);
        assert_eq!(app.json(Method::GET, &format!("{keys}/{id}"), &bob, None).await.json(), deploy);
        for (method, path, body) in [
            (Method::GET, keys.to_string(), None),
            (Method::POST, keys.to_string(), Some(json!({"key": fresh_key().await}))),
            (Method::GET, format!("{keys}/{id}"), None),
            (Method::DELETE, format!("{keys}/{id}"), None),
            (Method::DELETE, "/repos/bob/nas-backup".to_string(), None),
        ] {
            let res = app.json(method.clone(), &path, &carol, body).await;
            assert_eq!(res.status, 403, "{method} {path}");
            assert_eq!(res.json()["message"], "Must have admin rights to Repository.");
        }
        // A user key and a deploy key can never share a fingerprint.
        let res = app.json(Method::POST, "/user/keys", &carol, Some(json!({"key": ci}))).await;
        assert_eq!(res.json()["errors"][0]["message"], "Key is already in use");

        assert_eq!(app.json(Method::DELETE, &format!("{keys}/{id}"), &bob, None).await.status, 204);
        assert_eq!(app.json(Method::GET, &format!("{keys}/{id}"), &bob, None).await.status, 404);
        let after = app.json(Method::GET, keys, &bob, None).await.json();
        assert_eq!(after.as_array().unwrap().len(), 1, "a list read before the delete is not served after it");
        assert_eq!(app.json(Method::DELETE, "/repos/bob/nas-backup", &bob, None).await.status, 204);
        assert_eq!(app.json(Method::GET, "/repos/bob/nas-backup", &bob, None).await.status, 404);
        let res = app.json(Method::POST, "/user/keys", &carol, Some(json!({"key": ci}))).await;
        assert_eq!(res.status, 201, "deleting the repository removed its deploy keys: {}", res.text());
        assert_ne!(res.json()["id"].as_i64(), Some(pusher));

        let audit = app.json(Method::GET, "/api/audit", &alice, None).await.json();
        let actions: Vec<&str> =
            audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for expected in ["repository.created", "deploy_key.added", "deploy_key.deleted", "repository.deleted"] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn lists_paginate_with_a_link_header_and_filter_by_fingerprint() {
    let app = TestApp::new(crate::common::sqlite().await);
    app.setup_admin("alice", PW).await;
    let alice = Auth::Bearer(app.api_login("alice", PW).await);
    let mut fingerprints = Vec::new();
    for n in 0..250 {
        let res = app
            .json(Method::POST, "/user/keys", &alice, Some(json!({"title": format!("k{n}"), "key": fresh_key().await})))
            .await;
        assert_eq!(res.status, 201);
        fingerprints.push(res.json()["fingerprint"].as_str().unwrap().to_string());
    }
    let page = |query: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move { app.json(Method::GET, &format!("/user/keys{query}"), &alice, None).await }
    };
    let first = page("").await;
    assert_eq!(first.json().as_array().unwrap().len(), 30);
    let link = first.header("link").unwrap();
    assert!(link.contains(&format!("<{BASE}/user/keys?page=2&per_page=30>; rel=\"next\"")), "{link}");
    assert!(link.contains(&format!("<{BASE}/user/keys?page=9&per_page=30>; rel=\"last\"")), "{link}");
    assert!(!link.contains("rel=\"prev\"") && !link.contains("rel=\"first\""), "{link}");
    let ninth = page("?page=9").await;
    assert_eq!(ninth.json().as_array().unwrap().len(), 10);
    assert_eq!(ninth.json()[9]["title"], "k249");
    let link = ninth.header("link").unwrap();
    assert!(link.contains("page=8&per_page=30>; rel=\"prev\"") && link.contains("page=1&per_page=30>; rel=\"first\""));
    assert!(!link.contains("rel=\"next\""), "{link}");
    let middle = page("?page=4").await.header("link").unwrap();
    for rel in ["first", "prev", "next", "last"] {
        assert!(middle.contains(&format!("rel=\"{rel}\"")), "{middle}");
    }
    let hundred = page("?per_page=100").await;
    assert_eq!(hundred.json().as_array().unwrap().len(), 100);
    assert!(hundred.header("link").unwrap().contains("page=3&per_page=100>; rel=\"last\""));
    assert_eq!(page("?per_page=100&page=3").await.json().as_array().unwrap().len(), 50);
    let capped = page("?per_page=1000").await;
    assert_eq!(capped.json().as_array().unwrap().len(), 100, "per_page is capped at 100");
    assert!(capped.header("link").unwrap().contains("page=3&per_page=100>; rel=\"last\""));
    assert_eq!(page("?page=10").await.json(), json!([]));

    let wanted = &fingerprints[123];
    let filtered = app
        .json(
            Method::GET,
            &format!("/user/keys?fingerprint={}", wanted.replace('+', "%2B").replace('/', "%2F")),
            &alice,
            None,
        )
        .await;
    let items = filtered.json();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(&items[0]["fingerprint"], wanted);
    let public = app.json(Method::GET, "/users/alice/keys?per_page=100&page=2", &Auth::Anonymous, None).await;
    assert_eq!(public.json().as_array().unwrap().len(), 100);
    assert!(
        public
            .header("link")
            .unwrap()
            .contains(&format!("<{BASE}/users/alice/keys?page=3&per_page=100>; rel=\"next\""))
    );
    let plain = app.json(Method::GET, "/alice.keys", &Auth::Anonymous, None).await.text();
    assert_eq!(plain.lines().count(), 250, "the .keys file is never paginated");
}

/// `GET /user` and `GET /users/{username}`: what GitHub clients ask first (Octokit's
/// `users.getAuthenticated`, PyGithub's `get_user().login`, `gh auth status`).
#[tokio::test]
async fn the_authenticated_user_and_a_user_by_name_come_in_githubs_shape() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        app.create_user(&alice, "bob", PW, "viewer").await;
        let narrow = token_with(&app, &alice, &["read:public_key"]).await;
        let res = app.json(Method::POST, "/user/repos", &alice, Some(json!({"name": "vault"}))).await;
        assert_eq!(res.status, 201, "{}", res.text());

        let me = app.json(Method::GET, "/user", &narrow, None).await;
        assert_eq!(me.status, 200, "any token may ask who it is: {}", me.text());
        let me = me.json();
        assert_eq!(
            (me["login"].as_str(), me["type"].as_str(), me["site_admin"].as_bool()),
            (Some("alice"), Some("User"), Some(true))
        );
        assert_eq!(me["node_id"], "MDQ6VXNlcjE=", "GitHub's legacy id: base64 of 04:User1");
        assert_eq!(me["url"], format!("{BASE}/users/alice"));
        assert_eq!(me["public_repos"], 1);
        for field in ["id", "html_url", "created_at", "updated_at", "name", "email", "followers"] {
            assert!(me.get(field).is_some(), "{field} missing from {me}");
        }
        assert_eq!(app.json(Method::GET, "/user", &Auth::Anonymous, None).await.status, 401);

        let bob = app.json(Method::GET, "/users/BOB", &Auth::Anonymous, None).await;
        assert_eq!(bob.status, 200, "names match regardless of case: {}", bob.text());
        assert_eq!((bob.json()["login"].as_str(), bob.json()["site_admin"].as_bool()), (Some("bob"), Some(false)));
        let nobody = app.json(Method::GET, "/users/nobody", &Auth::Anonymous, None).await;
        assert_eq!(nobody.status, 404);
        assert_eq!(nobody.json()["message"], "Not Found");
    })
    .await;
}

/// Every answer to a token says what it holds and what the route asks for, as GitHub does (`gh`
/// reads both to explain a 403); a browser session gets neither.
#[tokio::test]
async fn answers_to_a_token_carry_githubs_scope_headers() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        let both = token_with(&app, &alice, &["read:public_key", "repo"]).await;
        let res = app.json(Method::GET, "/user/keys", &both, None).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("x-oauth-scopes").as_deref(), Some("read:public_key, repo"));
        assert_eq!(res.header("x-accepted-oauth-scopes").as_deref(), Some("read:public_key"));
        let res = app.json(Method::GET, "/user", &both, None).await;
        assert_eq!(res.header("x-accepted-oauth-scopes").as_deref(), Some(""), "any token will do");

        let narrow = token_with(&app, &alice, &["read:public_key"]).await;
        let res = app.json(Method::DELETE, "/user/keys/1", &narrow, None).await;
        assert_eq!(res.status, 403);
        assert_eq!(res.header("x-oauth-scopes").as_deref(), Some("read:public_key"), "also on a refusal");
        assert_eq!(res.header("x-accepted-oauth-scopes").as_deref(), Some("admin:public_key"));

        let session = Auth::Session(app.browser_login("alice", PW).await);
        let res = app.json(Method::GET, "/user/keys", &session, None).await;
        assert_eq!((res.status.as_u16(), res.header("x-oauth-scopes")), (200, None));
    })
    .await;
}
