//! The Edit form's backup path check on the real sshd, with the chrooted SFTP-only account of a
//! Storage Box: saving a backup path that is missing on the host says so and opens Browse there;
//! "Create" makes it with the folders above it; a file in the way is a 409 naming `path` (server functions answer
//! the error as its variant: `{"Conflict": {"field": …}}`).

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;

/// Saves connection `id` through the Edit form with `default_path`, as the hydrated page does.
async fn save(
    s: &SshApp,
    id: i64,
    port: u16,
    account: &TestAccount,
    default_path: &str,
) -> crate::common::http::TestResponse {
    let (id, port) = (id.to_string(), port.to_string());
    let form = [
        ("id", id.as_str()),
        ("page", "1"),
        ("host", "127.0.0.1"),
        ("username", account.name.as_str()),
        ("port", port.as_str()),
        ("use_sftp_mode", "on"),
        ("default_path", default_path),
    ];
    s.app.server_fn("update_connection", &s.browser, &form).await
}

#[tokio::test]
async fn a_missing_backup_path_is_found_on_save_and_created_with_its_parents() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::sftp_only();
    let s = SshApp::start(None).await;
    let id = s.working_connection(&sshd, &account, true).await;

    let saved = save(&s, id, sshd.port, &account, "/home/borg/nightly").await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    let outcome = saved.json();
    assert_eq!(outcome["success"], true, "the test itself passed: {outcome}");
    assert_eq!(outcome["notes"][0], "The backup path /home/borg/nightly does not exist on the host.", "{outcome}");
    assert_eq!(
        saved.header("location").as_deref(),
        Some(format!("/settings/connections?browse={id}&path=%2Fhome%2Fborg%2Fnightly#browse").as_str()),
        "Browse opens at the missing path"
    );
    assert_eq!(s.listed(id).await["default_path"], "/home/borg/nightly", "the edit is saved all the same");

    let id_text = id.to_string();
    let made = s
        .app
        .server_fn("create_connection_path", &s.browser, &[("id", &id_text), ("path", "/home/borg/nightly")])
        .await;
    assert_eq!(made.status, 200, "{}", made.text());
    assert!(account.home.join("borg/nightly").is_dir(), "made with its parent, inside the chroot's /home");

    let saved = save(&s, id, sshd.port, &account, "/home/borg/nightly").await;
    assert_eq!(saved.json()["notes"], serde_json::json!([]), "the path exists now");
    assert_eq!(
        saved.header("location").as_deref(),
        Some(format!("/settings/connections?page=1#connection-{id}").as_str())
    );

    std::fs::write(account.home.join("borg/plain-file"), "x").unwrap();
    let blocked = s
        .app
        .server_fn("create_connection_path", &s.browser, &[("id", &id_text), ("path", "/home/borg/plain-file/repo")])
        .await;
    assert_eq!(
        (blocked.status.as_u16(), blocked.json()["Conflict"]["field"].as_str()),
        (409, Some("path")),
        "{}",
        blocked.text()
    );
    let saved = save(&s, id, sshd.port, &account, "/home/borg/plain-file").await;
    assert_eq!(
        saved.json()["notes"][0],
        "The backup path /home/borg/plain-file does not exist on the host.",
        "a file is not a folder borg can use"
    );
    let empty = s.app.server_fn("create_connection_path", &s.browser, &[("id", &id_text), ("path", " ")]).await;
    assert_eq!((empty.status.as_u16(), empty.json()["Invalid"]["field"].as_str()), (422, Some("path")));
}
