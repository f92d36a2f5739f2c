//! Borg UI's sign-in contract: the token in `X-Borg-Authorization` (with or without a proxy's
//! Basic `Authorization` beside it), the flat `/api/auth/me` with `global_permissions`,
//! `/api/auth/config`, `/api/auth/logout`, key names in any script and the trailing-slash routes.

use crate::common::http::{Auth, TestApp, TestResponse};
use crate::common::on_every_engine;
use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::json;

const PW: &str = "long enough password";

async fn call(app: &TestApp, method: Method, path: &str, headers: &[(&str, String)]) -> TestResponse {
    let mut builder = Request::builder().method(method).uri(path).header(header::HOST, "127.0.0.1:3000");
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    app.send(builder.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn borg_uis_header_wins_and_a_proxys_basic_auth_hides_nothing() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let token = app.api_login("alice", PW).await;
        let borg = ("x-borg-authorization", format!("Bearer {token}"));
        let basic = ("authorization", "Basic cHJveHk6c2VjcmV0".to_string());

        let res = call(&app, Method::GET, "/api/ssh-keys", std::slice::from_ref(&borg)).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let res = call(&app, Method::GET, "/api/ssh-keys", &[borg.clone(), basic.clone()]).await;
        assert_eq!(res.status, 200, "a proxy's Basic auth beside the token: {}", res.text());
        let wrong = ("authorization", "Bearer kh_not_a_real_token".to_string());
        let res = call(&app, Method::GET, "/api/ssh-keys", &[borg.clone(), wrong]).await;
        assert_eq!(res.status, 200, "X-Borg-Authorization is preferred when both carry a token");
        let res = call(&app, Method::GET, "/api/ssh-keys", std::slice::from_ref(&basic)).await;
        assert_eq!(res.status, 401, "Basic alone is the proxy's, not a credential of ours");
        let res = call(&app, Method::GET, "/api/ssh-keys", &[("x-borg-authorization", "Basic abc".into())]).await;
        assert_eq!(res.status, 401);
        assert!(res.text().contains("X-Borg-Authorization: Bearer"), "{}", res.text());

        // A browser session behind a Basic-auth proxy still works.
        let cookie = app.browser_login("alice", PW).await;
        let session = Auth::Session(cookie.clone());
        let mut request =
            Request::builder().method(Method::GET).uri("/api/ssh-keys").header(header::HOST, "127.0.0.1:3000");
        request = request
            .header(header::COOKIE, format!("keyhaven_session={cookie}"))
            .header("authorization", basic.1.clone());
        let res = app.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(app.json(Method::GET, "/api/ssh-keys/", &session, None).await.status, 200, "trailing slash");
    })
    .await;
}

#[tokio::test]
async fn me_is_flat_with_borg_ui_permissions_and_logout_ends_only_that_token() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        app.create_user(&admin, "vic", PW, "viewer").await;
        let viewer = app.api_login("vic", PW).await;

        let config = app.json(Method::GET, "/api/auth/config", &Auth::Anonymous, None).await;
        assert_eq!(config.status, 200);
        let config = config.json();
        assert_eq!(
            (&config["proxy_auth_enabled"], &config["insecure_no_auth_enabled"], &config["authentication_required"]),
            (&json!(false), &json!(false), &json!(true))
        );

        let me = app.json(Method::GET, "/api/auth/me", &admin, None).await.json();
        assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("alice"), Some("admin")), "{me}");
        assert_eq!(me["global_permissions"], json!(["settings.ssh.manage", "settings.users.manage"]));
        assert_eq!((me["is_active"].as_bool(), me["must_change_password"].as_bool()), (Some(true), Some(false)));
        assert_eq!(me["user"]["username"], "alice", "the nested shape stays for earlier clients");
        let borg = [("x-borg-authorization", format!("Bearer {viewer}"))];
        let me = call(&app, Method::GET, "/api/auth/me", &borg).await.json();
        assert_eq!((me["role"].as_str(), me["global_permissions"].clone()), (Some("viewer"), json!([])));

        let second = Auth::Bearer(app.api_login("vic", PW).await);
        let out = call(&app, Method::POST, "/api/auth/logout", &borg).await;
        assert_eq!(out.status, 200, "{}", out.text());
        assert_eq!(call(&app, Method::GET, "/api/auth/me", &borg).await.status, 401, "that token is revoked");
        assert_eq!(app.json(Method::GET, "/api/auth/me", &second, None).await.status, 200, "another one is not");
        assert_eq!(app.json(Method::POST, "/api/auth/logout", &Auth::Anonymous, None).await.status, 401);

        // The sweeps skip signing out (it would end their credentials): any token may end itself,
        // however narrow, and only itself.
        let narrow_json = json!({"name": "narrow", "scopes": ["read:public_key"]});
        let made = app.json(Method::POST, "/api/tokens", &admin, Some(narrow_json)).await;
        let narrow = Auth::Bearer(made.json()["api_token"]["token"].as_str().unwrap().to_string());
        assert_eq!(app.json(Method::POST, "/api/auth/logout", &narrow, None).await.status, 200);
        assert_eq!(app.json(Method::GET, "/user/keys", &narrow, None).await.status, 401, "revoked");
        assert_eq!(app.json(Method::GET, "/api/auth/me", &admin, None).await.status, 200, "the admin's own stays");
    })
    .await;
}

#[tokio::test]
async fn key_names_in_any_script_with_spaces_are_accepted() {
    on_every_engine(|db| async move {
        let app = TestApp::new(db);
        app.setup_admin("alice", PW).await;
        let admin = Auth::Bearer(app.api_login("alice", PW).await);
        // Borg UI's German frontend names the system key in German.
        let res = app
            .json(Method::POST, "/api/ssh-keys/generate", &admin, Some(json!({"name": "System-SSH-Schlüssel"})))
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.json()["ssh_key"]["name"], "System-SSH-Schlüssel");
        for name in ["Backup Server Key", "Clave SSH del sistema", "バックアップ鍵"] {
            let res = app.json(Method::POST, "/api/ssh-keys", &admin, Some(json!({"name": name}))).await;
            assert_eq!(res.status, 201, "{name}: {}", res.text());
            assert_eq!(res.json()["ssh_key"]["name"], name);
        }
    })
    .await;
}
