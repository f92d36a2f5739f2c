//! The setup wizard over its server functions: the step is kept in the database and moved only
//! by an admin; the first connection is saved only after the system key logs in to a trusted
//! host (real sshd), and a wrong password or an untrusted host leaves nothing behind.

use crate::common::accounts::TestAccount;
use crate::common::http::{Auth, TestApp};
use crate::common::ssh_app::{ADMIN_PW, SshApp};
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::Value;

async fn status(app: &TestApp, auth: &Auth) -> Value {
    let res = app.server_fn("get_setup_status", auth, &[]).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

#[tokio::test]
async fn the_wizard_step_is_stored_and_moved_only_by_an_admin() {
    let app = TestApp::new(crate::common::sqlite().await);
    let fresh = status(&app, &Auth::Anonymous).await;
    assert_eq!((fresh["step"].as_str(), fresh["can_continue"].as_bool()), (Some("admin"), Some(false)));
    let res = app.server_fn("set_setup_step", &Auth::Anonymous, &[("step", "done")]).await;
    assert_eq!(res.status, 401, "nobody skips the admin step: {}", res.text());

    app.setup_admin("alice", ADMIN_PW).await;
    let anonymous = status(&app, &Auth::Anonymous).await;
    assert_eq!((anonymous["step"].as_str(), anonymous["can_continue"].as_bool()), (Some("key"), Some(false)));
    let admin = Auth::Session(app.browser_login("alice", ADMIN_PW).await);
    assert_eq!(status(&app, &admin).await["can_continue"], true);
    app.create_user(&Auth::Bearer(app.api_login("alice", ADMIN_PW).await), "victor", ADMIN_PW, "viewer").await;
    let viewer = Auth::Session(app.browser_login("victor", ADMIN_PW).await);
    assert_eq!(status(&app, &viewer).await["can_continue"], false);
    assert_eq!(app.server_fn("set_setup_step", &viewer, &[("step", "done")]).await.status, 403);

    for bad in ["admin", "", "finished", "../done"] {
        let res = app.server_fn("set_setup_step", &admin, &[("step", bad)]).await;
        assert_eq!(res.status, 422, "{bad:?}: {}", res.text());
        assert!(res.text().contains("step"), "the error names the field: {}", res.text());
    }
    assert_eq!(status(&app, &admin).await["step"], "key", "bad input moved nothing");
    let res = app.server_fn("set_setup_step", &admin, &[("step", "connection")]).await;
    assert!(res.status.is_success() || res.status.is_redirection(), "{}", res.text());
    assert_eq!(status(&app, &Auth::Anonymous).await["step"], "connection", "stored, not per session");
    app.server_fn("set_setup_step", &admin, &[("step", "done")]).await;
    assert_eq!(status(&app, &admin).await["step"], "done");
    let audit = app.json(Method::GET, "/api/audit", &admin, None).await.text();
    assert!(audit.contains("setup.finished"), "{audit}");
}

fn connect_form<'a>(port: &'a str, user: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("host", "127.0.0.1"), ("port", port), ("username", user), ("password", password)]
}

async fn connections(s: &SshApp) -> Vec<Value> {
    let (_, body) = s.call(Method::GET, "/api/ssh-keys/connections", None).await;
    body["connections"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_first_connection_is_saved_only_after_the_key_logs_in() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let port = sshd.port.to_string();

    let res =
        s.app.server_fn("setup_connect", &s.browser, &connect_form(&port, &account.name, &account.password)).await;
    assert_eq!(res.status, 409, "untrusted host: {}", res.text());
    assert!(res.text().contains("not trusted"), "{}", res.text());
    assert!(connections(&s).await.is_empty(), "nothing saved for an untrusted host");

    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    let res = s.app.server_fn("setup_connect", &s.browser, &connect_form(&port, &account.name, "")).await;
    assert_eq!(res.status, 422, "no password and no key installed: {}", res.text());
    assert!(res.text().contains("password"), "{}", res.text());
    let res = s.app.server_fn("setup_connect", &s.browser, &connect_form(&port, &account.name, "wrong password")).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.text().contains("rejected the password"), "{}", res.text());
    assert!(connections(&s).await.is_empty(), "a wrong password leaves nothing behind");
    assert!(account.authorized_keys().is_none_or(|k| k.is_empty()), "and writes nothing");

    let res =
        s.app.server_fn("setup_connect", &s.browser, &connect_form(&port, &account.name, &account.password)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["message"], "Connected: the key is installed and logs in.");
    let saved = connections(&s).await;
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["status"], "connected");
    assert!(saved[0]["storage"]["total"].as_i64().unwrap_or(0) > 0, "storage measured: {}", saved[0]);
    assert!(res.text().find(&account.password).is_none(), "the password is never echoed");

    // Once installed, no password is needed (and none is sent).
    let res = s.app.server_fn("setup_connect", &s.browser, &connect_form(&port, &account.name, "")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["message"], "Connected: the key was already installed.");
}
