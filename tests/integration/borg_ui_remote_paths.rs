//! Borg UI's remote path picker (`/api/filesystem/*`) on the real sshd: a shell account and a
//! chrooted SFTP-only account like a Storage Box; directories first, borg repositories recognised,
//! spaces and Unicode, `..` resolved without leaving `/`, thousands of entries, folders created
//! once, and 4xx that name the field.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::{Value, json};
use std::path::Path;

fn chown_to(account: &TestAccount, path: &Path) {
    let owner = format!("{0}:{0}", account.name);
    assert!(std::process::Command::new("chown").args(["-R", &owner]).arg(path).status().unwrap().success());
}

fn query(port: u16, account: &TestAccount, path: &str) -> String {
    let path: String = url_encode(path);
    format!("connection_type=ssh&host=127.0.0.1&username={}&port={port}&path={path}", account.name)
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn names(listing: &Value) -> Vec<String> {
    listing["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_shell_account_is_browsed_checked_and_given_a_folder() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, false).await;
    let home = account.home.clone();
    std::fs::create_dir_all(home.join("backups/a dir with spaces")).unwrap();
    std::fs::create_dir_all(home.join("backups/Ünïcode")).unwrap();
    std::fs::create_dir_all(home.join("backups/repo/data")).unwrap();
    std::fs::write(home.join("backups/repo/config"), "[repository]\n").unwrap();
    std::fs::write(home.join("backups/notes.txt"), "hello").unwrap();
    std::fs::create_dir_all(home.join("many")).unwrap();
    for n in 0..5_000 {
        std::fs::write(home.join(format!("many/file-{n:05}")), "").unwrap();
    }
    chown_to(&account, &home);

    let (status, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, "")), None).await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(listing["current_path"], home.display().to_string(), "no default_path: the login directory");
    let backups = home.join("backups").display().to_string();
    let (status, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, &backups)), None).await;
    assert_eq!(status, 200, "{listing}");
    assert_eq!(names(&listing), ["a dir with spaces", "repo", "Ünïcode", "notes.txt"], "directories first, by name");
    let items = listing["items"].as_array().unwrap();
    let repo = items.iter().find(|i| i["name"] == "repo").unwrap();
    assert_eq!((repo["is_borg_repo"].as_bool(), repo["is_directory"].as_bool()), (Some(true), Some(true)));
    assert!(items.iter().filter(|i| i["name"] != "repo").all(|i| i["is_borg_repo"] == false));
    let notes = items.iter().find(|i| i["name"] == "notes.txt").unwrap();
    assert_eq!(
        (notes["size"].as_u64(), notes["permissions"].as_str().map(|p| p.starts_with('-'))),
        (Some(5), Some(true))
    );
    assert!(notes["modified"].as_str().is_some_and(|m| m.starts_with("20")));
    assert_eq!(listing["parent_path"], home.display().to_string());
    assert_eq!(repo["path"], format!("{backups}/repo"));

    let many = home.join("many").display().to_string();
    let (status, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, &many)), None).await;
    assert_eq!((status, listing["items"].as_array().map(Vec::len)), (200, Some(5_000)));
    assert_eq!(listing["truncated"], false);

    let escape = format!("{backups}/../../../../..");
    let (status, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, &escape)), None).await;
    assert_eq!((status, listing["current_path"].as_str(), listing["parent_path"].is_null()), (200, Some("/"), true));

    let check = |path: &str| format!("/api/filesystem/validate-path?{}", query(sshd.port, &account, path));
    let (_, repo_check) = s.call(Method::POST, &check(&format!("{backups}/repo")), None).await;
    assert_eq!(
        repo_check,
        json!({"path": format!("{backups}/repo"), "exists": true, "is_directory": true, "is_borg_repo": true})
    );
    let (_, file_check) = s.call(Method::POST, &check(&format!("{backups}/notes.txt")), None).await;
    assert_eq!((file_check["exists"].as_bool(), file_check["is_directory"].as_bool()), (Some(true), Some(false)));
    let (_, missing) = s.call(Method::POST, &check(&format!("{backups}/nothing")), None).await;
    assert_eq!(missing["exists"], false);

    let folder = json!({"path": backups, "folder_name": "new folder ü", "connection_type": "ssh",
        "host": "127.0.0.1", "username": account.name, "port": sshd.port});
    let (status, made) = s.call(Method::POST, "/api/filesystem/create-folder", Some(folder.clone())).await;
    assert_eq!((status, made["success"].as_bool()), (200, Some(true)), "{made}");
    assert!(home.join("backups/new folder ü").is_dir());
    let (status, again) = s.call(Method::POST, "/api/filesystem/create-folder", Some(folder.clone())).await;
    assert_eq!((status, again["field"].as_str()), (400, Some("folder_name")), "exists already: {again}");
    let mut bad = folder.clone();
    bad["folder_name"] = json!("../outside");
    let (status, answer) = s.call(Method::POST, "/api/filesystem/create-folder", Some(bad)).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("folder_name")), "{answer}");

    let (status, answer) =
        s.call(Method::GET, &format!("/api/filesystem/browse?connection_id={id}&path={backups}/notes.txt"), None).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("path")), "a file is not browsed: {answer}");
    let (status, _) = s.call(Method::GET, "/api/filesystem/browse?host=127.0.0.1&username=nobody&port=22", None).await;
    assert_eq!(status, 404, "no saved connection");
    let (status, answer) = s.call(Method::GET, "/api/filesystem/browse?connection_type=local&path=/", None).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("connection_type")));
    let (status, answer) =
        s.call(Method::GET, &format!("/api/filesystem/browse?connection_id={id}&port=x"), None).await;
    assert_eq!(status, 200, "connection_id wins; {answer}");
}

#[tokio::test]
async fn an_sftp_only_account_is_browsed_inside_its_chroot() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::sftp_only();
    let s = SshApp::start(None).await;
    s.working_connection(&sshd, &account, true).await;
    std::fs::create_dir_all(account.home.join("borg/repo/data")).unwrap();
    std::fs::write(account.home.join("borg/repo/config"), "").unwrap();
    chown_to(&account, &account.home);

    let (status, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, "")), None).await;
    assert_eq!((status, listing["current_path"].as_str()), (200, Some("/home")), "as the account sees it: {listing}");
    assert_eq!(names(&listing), ["borg"]);
    let (_, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, "borg")), None).await;
    assert_eq!(listing["items"][0]["is_borg_repo"], true, "{listing}");
    let (status, listing) =
        s.call(Method::GET, &format!("/api/filesystem/browse?{}", query(sshd.port, &account, "../../..")), None).await;
    assert_eq!(
        (status, listing["current_path"].as_str()),
        (200, Some("/")),
        "the chroot's root, nothing above: {listing}"
    );
    assert_eq!(names(&listing), ["home"], "only what the chroot holds");
}
