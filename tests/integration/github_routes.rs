//! What GitHub clients rely on beyond single calls: every answer under GitHub's paths is JSON in
//! GitHub's envelope (unknown routes and methods too), the whole API is also under `/api/v3` (where
//! GitHub Enterprise clients look), repository names ignore case, and a 422 says "Validation
//! Failed". On SQLite and PostgreSQL.

use crate::common::http::{Auth, TestApp};
use crate::common::on_every_engine;
use axum::http::Method;
use serde_json::json;

const PW: &str = "correct horse battery";
const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti alice@laptop";
const ED2: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE8oJDZ+thxZWjORskxUhBI216PvNChJCnp9qdOO+dWV alice@ci";

#[tokio::test]
async fn unknown_github_routes_answer_json_in_githubs_envelope() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        for (method, path) in [
            (Method::GET, "/repos/alice/vault/hooks"),
            (Method::GET, "/repos/alice"),
            (Method::GET, "/user/emails"),
            (Method::GET, "/users/alice/repos/extra"),
            (Method::GET, "/api/v3/orgs/acme"),
            (Method::GET, "/api/v3"),
        ] {
            for auth in [&alice, &Auth::Anonymous] {
                let res = app.json(method.clone(), path, auth, None).await;
                assert_eq!(res.status, 404, "{method} {path}: {}", res.text());
                assert!(res.header("content-type").unwrap().starts_with("application/json"), "{path}");
                assert_eq!(
                    res.json(),
                    json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
                );
            }
        }
        let res = app.json(Method::PUT, "/user/keys", &alice, Some(json!({}))).await;
        assert_eq!(res.status, 405, "{}", res.text());
        assert_eq!(res.json()["message"], "Method Not Allowed");
        assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
        // The web app's own pages and Borg UI's routes keep their answers.
        let page = app.json(Method::GET, "/settings/nothing-here", &alice, None).await;
        assert!(!page.text().contains("documentation_url"), "a page path is the web app's: {}", page.text());
        let borg = app.json(Method::GET, "/api/nothing-here", &alice, None).await;
        assert_eq!((borg.status.as_u16(), borg.json()["success"].as_bool()), (404, Some(false)));
    })
    .await;
}

#[tokio::test]
async fn the_github_api_is_also_served_under_api_v3() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        let res = app.json(Method::GET, "/api/v3/user", &alice, None).await;
        assert_eq!((res.status.as_u16(), res.json()["login"].as_str()), (200, Some("alice")), "{}", res.text());
        let res =
            app.json(Method::POST, "/api/v3/user/keys", &alice, Some(json!({"title": "laptop", "key": ED}))).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let id = res.json()["id"].as_i64().unwrap();
        let plain = app.json(Method::GET, &format!("/user/keys/{id}"), &alice, None).await;
        let v3 = app.json(Method::GET, &format!("/api/v3/user/keys/{id}"), &alice, None).await;
        assert_eq!((plain.status, v3.status), (axum::http::StatusCode::OK, axum::http::StatusCode::OK));
        assert_eq!(plain.json()["fingerprint"], v3.json()["fingerprint"]);
        assert!(v3.json()["url"].as_str().unwrap().ends_with(&format!("/api/v3/user/keys/{id}")), "{}", v3.text());
        assert!(!plain.json()["url"].as_str().unwrap().contains("/api/v3"), "{}", plain.text());
        // Links keep the prefix the client called under, or PyGithub's next page leaves it.
        let res = app.json(Method::POST, "/api/v3/user/keys", &alice, Some(json!({"title": "ci", "key": ED2}))).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let first = app.json(Method::GET, "/api/v3/user/keys?per_page=1", &alice, None).await;
        let link = first.header("link").unwrap_or_default();
        assert!(link.contains("/api/v3/user/keys?page=2&per_page=1>; rel=\"next\""), "{link}");
        let me = app.json(Method::GET, "/api/v3/user", &alice, None).await.json();
        assert!(me["url"].as_str().unwrap().ends_with("/api/v3/users/alice"), "{me}");
        assert!(me["html_url"].as_str().unwrap().ends_with("/alice") && !me["html_url"].to_string().contains("/api/"));
        let anonymous = app.json(Method::GET, "/api/v3/users/alice/keys", &Auth::Anonymous, None).await;
        assert_eq!(anonymous.json().as_array().map(Vec::len), Some(2));
        let refused = app.json(Method::GET, "/api/v3/user/keys", &Auth::Anonymous, None).await;
        assert_eq!(
            (refused.status.as_u16(), refused.json()["message"].as_str()),
            (401, Some("Requires authentication"))
        );
    })
    .await;
}

#[tokio::test]
async fn repository_names_ignore_case_and_are_unique_regardless_of_case() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let alice = Auth::Bearer(app.api_login("alice", PW).await);
        let res = app.json(Method::POST, "/user/repos", &alice, Some(json!({"name": "Vault"}))).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let again = app.json(Method::POST, "/user/repos", &alice, Some(json!({"name": "vault"}))).await;
        assert_eq!(again.status, 422, "{}", again.text());
        assert_eq!(again.json()["message"], "Validation Failed");
        assert_eq!(again.json()["errors"][0]["code"], "already_exists");
        assert_eq!(again.json()["errors"][0]["field"], "name");
        for path in ["/repos/alice/vault", "/repos/ALICE/VAULT", "/repos/Alice/Vault"] {
            let res = app.json(Method::GET, path, &alice, None).await;
            assert_eq!(res.status, 200, "{path}: {}", res.text());
            assert_eq!(res.json()["name"], "Vault", "the name as it was created");
        }
        let key = json!({"title": "ci", "key": ED, "read_only": true});
        let res = app.json(Method::POST, "/repos/ALICE/vault/keys", &alice, Some(key)).await;
        assert_eq!(res.status, 201, "{}", res.text());
        let listed = app.json(Method::GET, "/repos/alice/VAULT/keys", &alice, None).await.json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
    })
    .await;
}
