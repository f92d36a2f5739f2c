//! The authorization table: every registered entry point has a rule, the documented table is the
//! one the code enforces, and every entry point answers every kind of caller as its rule says.

use crate::common::http::{Auth, TestApp};
use crate::common::{on_every_engine, sqlite};
use axum::http::Method;
use keyhaven::model::Scope;
use keyhaven::server::access::{Access, Entry, EntryKind, Tokens, Who, markdown};
use keyhaven::server::router::access_table;
use serde_json::json;
use std::collections::BTreeSet;

const PW: &str = "long enough password";
const TABLE_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/authorization.md");

async fn table() -> Vec<Entry> {
    access_table(&TestApp::new(sqlite().await).state)
}

#[tokio::test]
async fn every_server_function_has_a_rule_and_every_rule_a_server_function() {
    let app = TestApp::new(sqlite().await);
    let rules: BTreeSet<String> =
        access_table(&app.state).into_iter().filter(|e| e.kind == EntryKind::Rpc).map(|e| e.path).collect();
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    assert!(registered.len() >= 40, "server functions are registered: {registered:?}");
    let missing: Vec<_> = registered.difference(&rules).collect();
    assert!(missing.is_empty(), "server functions without a rule (add rpc_rule! to their body): {missing:?}");
    let stray: Vec<_> = rules.difference(&registered).collect();
    assert!(stray.is_empty(), "rules naming no server function (a typo in rpc_rule!?): {stray:?}");
}

#[tokio::test]
async fn a_server_function_without_a_rule_is_refused_before_it_runs() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", PW).await;
    let admin = Auth::Session(app.browser_login("alice", PW).await);
    let res = app.server_fn("no_such_function", &admin, &[]).await;
    assert_eq!(res.status, 403, "{}", res.text());
}

#[tokio::test]
async fn authorization_table_is_current() {
    let generated = markdown(&table().await);
    if std::env::var("KEYHAVEN_WRITE_TABLE").is_ok() {
        std::fs::write(TABLE_DOC, &generated).expect("write docs/authorization.md");
    }
    let documented = std::fs::read_to_string(TABLE_DOC).unwrap_or_default();
    assert!(
        documented == generated,
        "docs/authorization.md differs from the rules in the code; run \
         `KEYHAVEN_WRITE_TABLE=1 cargo test --features ssr authorization_table_is_current` and review the diff"
    );
}

#[tokio::test]
async fn no_entry_point_lets_a_token_in_without_a_scope() {
    for entry in table().await {
        let ok = match (entry.kind, entry.access.who, entry.access.tokens) {
            (EntryKind::Rpc | EntryKind::Page | EntryKind::Form, _, tokens) => tokens == Tokens::Refused,
            (EntryKind::Rest, Who::Anyone, _) => true,
            (EntryKind::Rest, _, Tokens::Scope(_) | Tokens::Refused) => true,
            // Who am I (Borg UI's and GitHub's), and ending the very token asked with: any token
            // may do these.
            (EntryKind::Rest, _, Tokens::AnyScope) => {
                ["/api/auth/me", "/api/auth/logout", "/user", "/api/v3/user"].contains(&entry.path.as_str())
            }
            (EntryKind::Rest, _, Tokens::NotNeeded) => false,
        };
        assert!(ok, "{} {} has rule {:?}", entry.method, entry.path, entry.access);
    }
}

/// A caller of the sweep: how it authenticates and what `authorize` sees of it.
struct Caller {
    label: String,
    auth: Auth,
    admin: bool,
    /// `None` for a session, the scopes for a token.
    scopes: Option<Vec<Scope>>,
}

/// The status the rule promises this caller: `Some(401/403)` when refused, `None` when let in.
fn promised(access: Access, caller: &Caller) -> Option<u16> {
    if matches!(caller.auth, Auth::Anonymous) {
        return (access.who != Who::Anyone).then_some(401);
    }
    if let Some(held) = &caller.scopes {
        match access.tokens {
            Tokens::Refused => return Some(403),
            Tokens::Scope(needed) if !held.iter().any(|h| h.implies(needed)) => return Some(403),
            _ => {}
        }
    }
    (access.who == Who::Admin && !caller.admin).then_some(403)
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{username}", "nobody")
        .replace("{owner}", "nobody")
        .replace("{repo}", "nothing")
        .replace("{*rest}", "nothing/here")
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    app.setup_admin("alice", PW).await;
    let login = Auth::Bearer(app.api_login("alice", PW).await);
    app.create_user(&login, "vic", PW, "viewer").await;
    let mut all = vec![Caller { label: "anonymous".into(), auth: Auth::Anonymous, admin: false, scopes: None }];
    for (name, admin) in [("alice", true), ("vic", false)] {
        let session = Auth::Session(app.browser_login(name, PW).await);
        all.push(Caller { label: format!("{name} session"), auth: session, admin, scopes: None });
        let own_login = Auth::Bearer(app.api_login(name, PW).await);
        for scope in Scope::ALL {
            let body = json!({"name": format!("sweep {}", scope.as_str()), "scopes": [scope.as_str()]});
            let res = app.json(Method::POST, "/api/tokens", &own_login, Some(body)).await;
            assert_eq!(res.status, 201, "{}", res.text());
            let token = res.json()["api_token"]["token"].as_str().expect("token").to_string();
            all.push(Caller {
                label: format!("{name} token {}", scope.as_str()),
                auth: Auth::Bearer(token),
                admin,
                scopes: Some(vec![scope]),
            });
        }
    }
    all
}

/// Every REST route, server function and page × anonymous, a viewer and an admin by session, and a
/// token of each scope for each: refused exactly as the rule says (401/403), let in otherwise (the
/// answer is then the handler's: 2xx, 400, 404, 422, but never 401 or 403). Requests carry no body
/// and name ids that do not exist, so nothing is changed along the way.
#[tokio::test]
async fn every_entry_point_answers_every_caller_as_its_rule_says() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        let callers = callers(&app).await;
        let mut wrong = Vec::new();
        for entry in access_table(&app.state) {
            // Signing out would end the session or token the sweep goes on with (checked on their
            // own in `http_sessions` and `borg_ui_auth`).
            if entry.path == "/rpc/logout" || entry.path.starts_with("/api/auth/logout") {
                continue;
            }
            for caller in &callers {
                let path = concrete(&entry.path);
                let res = match entry.kind {
                    EntryKind::Rpc => app.server_fn(path.trim_start_matches("/rpc/"), &caller.auth, &[]).await,
                    EntryKind::Page => app.get_page(&path, &caller.auth).await,
                    EntryKind::Rest | EntryKind::Form => {
                        let method = if entry.method == "ANY" { "GET" } else { entry.method.as_str() };
                        let method = Method::from_bytes(method.as_bytes()).expect("method");
                        app.json(method, &path, &caller.auth, None).await
                    }
                };
                let status = res.status.as_u16();
                let ok = match promised(entry.access, caller) {
                    // Pages and forms send a signed-out browser to the sign-in page.
                    Some(401) if matches!(entry.kind, EntryKind::Page | EntryKind::Form) => {
                        res.header("location").is_some_and(|l| l.starts_with("/login"))
                    }
                    Some(refused) => status == refused,
                    None => status != 401 && status != 403,
                };
                if !ok {
                    wrong.push(format!(
                        "{} {} as {}: rule {:?}, got {status} {}",
                        entry.method,
                        entry.path,
                        caller.label,
                        entry.access,
                        res.text().chars().take(120).collect::<String>()
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{} cells disagree with the table:\n{}", wrong.len(), wrong.join("\n"));
    })
    .await;
}
