//! SSH keys from forms: an uploaded key file (multipart, works without JavaScript) and the
//! comment chosen when a key is generated or imported.

use super::http_ssh_keys::{PW, admin_app};
use crate::common::http::Auth;
use crate::common::{openssh, test_settings};
use axum::http::Method;
use serde_json::json;

/// A multipart body with the given text fields and one file field.
pub fn multipart(fields: &[(&str, &str)], file: &str) -> (String, String) {
    let boundary = "keyhavenboundary7d1";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"key_file\"; filename=\"id\"\r\nContent-Type: application/octet-stream\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn uploaded_key_files_import_for_admins_and_errors_come_back_to_the_page() {
    let (app, token) = admin_app(test_settings()).await;
    app.create_user(&token, "vic", PW, "viewer").await;
    let viewer = Auth::Session(app.browser_login("vic", PW).await);
    // The upload is a browser form: a token is refused there, whatever its scopes.
    let admin = Auth::Session(app.browser_login("alice", PW).await);
    let dir = tempfile::tempdir().unwrap();
    let path = openssh::keygen(dir.path(), "up", "ecdsa", Some(521), Some("PKCS8"), "");
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = openssh::fingerprint(&path.with_extension("pub"), "sha256");

    let (ct, body) = multipart(&[("name", "uploaded")], &text);
    let refused = app.raw(Method::POST, "/settings/ssh-keys/upload", &viewer, &ct, &body).await;
    assert_eq!(refused.status, 403);
    assert!(refused.text().contains("admin role"), "{}", refused.text());
    let (ct, body) = multipart(&[("name", "bad/name")], &text);
    let with_token = app.raw(Method::POST, "/settings/ssh-keys/upload", &token, &ct, &body).await;
    assert_eq!(with_token.status, 403);
    assert!(with_token.text().contains("API tokens are not accepted"), "{}", with_token.text());
    let bad = app.raw(Method::POST, "/settings/ssh-keys/upload", &admin, &ct, &body).await;
    assert!(bad.header("location").unwrap().contains("upload_error=Key%20name"), "{:?}", bad.header("location"));
    let listed = app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json();
    assert_eq!(listed["ssh_keys"].as_array().unwrap().len(), 0, "nothing stored by refused uploads");

    let (ct, body) = multipart(&[("name", "uploaded"), ("description", "from a file")], &text);
    let ok = app.raw(Method::POST, "/settings/ssh-keys/upload", &admin, &ct, &body).await;
    assert_eq!(ok.header("location").as_deref(), Some("/settings/ssh-keys"));
    let listed = app.json(Method::GET, "/api/ssh-keys", &admin, None).await.json();
    assert_eq!(listed["ssh_keys"][0]["fingerprint"], expected.as_str());
    assert_eq!(listed["ssh_keys"][0]["bits"], 521);
}

#[tokio::test]
async fn the_setup_wizard_gets_its_upload_answer_and_no_other_page_can_be_named() {
    let (app, _token) = admin_app(test_settings()).await;
    let admin = Auth::Session(app.browser_login("alice", PW).await);
    let dir = tempfile::tempdir().unwrap();
    let path = openssh::keygen(dir.path(), "wiz", "ed25519", None, None, "file pass 1");
    let text = std::fs::read_to_string(&path).unwrap();
    let fields = [("name", "System SSH Key"), ("system", "on"), ("return_to", "/setup"), ("passphrase", "wrong")];
    let (ct, body) = multipart(&fields, &text);
    let wrong = app.raw(Method::POST, "/settings/ssh-keys/upload", &admin, &ct, &body).await;
    let location = wrong.header("location").unwrap();
    assert!(location.starts_with("/setup?upload_error=") && location.contains("passphrase"), "{location}");

    let (ct, body) = multipart(&[("name", "elsewhere"), ("return_to", "https://evil.example/")], "not a key");
    let elsewhere = app.raw(Method::POST, "/settings/ssh-keys/upload", &admin, &ct, &body).await;
    assert!(elsewhere.header("location").unwrap().starts_with("/settings/ssh-keys?upload_error="), "no open redirect");

    let fields = [("name", "System SSH Key"), ("system", "on"), ("return_to", "/setup"), ("passphrase", "file pass 1")];
    let (ct, body) = multipart(&fields, &text);
    let ok = app.raw(Method::POST, "/settings/ssh-keys/upload", &admin, &ct, &body).await;
    assert_eq!(ok.header("location").as_deref(), Some("/setup"));
    let system = app.json(Method::GET, "/api/ssh-keys/system-key", &admin, None).await.json();
    let expected = openssh::fingerprint(&path.with_extension("pub"), "sha256");
    assert_eq!(
        (system["exists"].as_bool(), system["ssh_key"]["fingerprint"].as_str()),
        (Some(true), Some(expected.as_str()))
    );
}

#[tokio::test]
async fn a_comment_given_ends_the_public_key_line_and_a_default_is_chosen_otherwise() {
    let (app, admin) = admin_app(test_settings()).await;
    let body = json!({"name": "ci", "key_type": "ecdsa", "key_size": 256, "comment": "ci@build-01"});
    let res = app.json(Method::POST, "/api/ssh-keys", &admin, Some(body)).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let key = &res.json()["ssh_key"];
    assert!(key["public_key"].as_str().unwrap().ends_with(" ci@build-01"), "{key}");
    assert_eq!(key["comment"], "ci@build-01");
    let res = app.json(Method::POST, "/api/ssh-keys", &admin, Some(json!({"name": "Plain_Name"}))).await;
    assert_eq!(res.json()["ssh_key"]["comment"], "keyhaven-plain_name");
    let keydir = tempfile::tempdir().unwrap();
    let path = openssh::keygen(keydir.path(), "imp", "ed25519", None, None, "");
    let private = std::fs::read_to_string(&path).unwrap();
    let body = json!({"name": "imported", "private_key": private, "comment": "laptop@home"});
    let res = app.json(Method::POST, "/api/ssh-keys", &admin, Some(body)).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let public = res.json()["ssh_key"]["public_key"].as_str().unwrap().to_string();
    let expected = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    let blob = |line: &str| line.split(' ').take(2).collect::<Vec<_>>().join(" ");
    assert_eq!(blob(&public), blob(&expected));
    assert!(public.ends_with(" laptop@home"));
}

#[tokio::test]
async fn the_dashboard_reads_the_system_key_alone_and_only_when_signed_in() {
    let (app, admin) = admin_app(test_settings()).await;
    let browser = Auth::Session(app.browser_login("alice", PW).await);
    assert_eq!(app.get_page("/rpc/get_system_key", &Auth::Anonymous).await.status, 401);
    assert!(app.get_page("/rpc/get_system_key", &browser).await.json().is_null(), "no system key yet");
    let named = json!({"name": "named-one", "key_type": "ed25519"});
    assert_eq!(app.json(Method::POST, "/api/ssh-keys", &admin, Some(named)).await.status, 201);
    assert!(app.get_page("/rpc/get_system_key", &browser).await.json().is_null(), "a named key is not the system key");
    let made = app.json(Method::POST, "/api/ssh-keys/generate", &admin, Some(json!({"name": "System SSH Key"}))).await;
    let key = app.get_page("/rpc/get_system_key", &browser).await.json();
    assert_eq!(key["fingerprint"], made.json()["ssh_key"]["fingerprint"]);
    assert_eq!((key["is_system_key"].as_bool(), key["connection_count"].as_u64()), (Some(true), Some(0)));
    assert!(!key.to_string().contains("PRIVATE"), "never the private key");
}
