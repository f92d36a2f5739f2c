//! Every Test of a connection leaves a check in its history with the exact reason, the stage that
//! stopped it and the time each stage took, read newest first through
//! `GET /api/ssh-keys/connections/{id}/checks`; against the real sshd.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::Value;

async fn checks(s: &SshApp, id: i64, query: &str) -> (u16, Value) {
    s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/checks{query}"), None).await
}

/// The newest check's reason, failed stage and health, after one more Test.
async fn test_once(s: &SshApp, id: i64) -> (String, Value, bool) {
    let (status, body) = s.action(id, "test", None).await;
    assert_eq!(status, 200, "{body}");
    let (status, history) = checks(s, id, "?per_page=1").await;
    assert_eq!(status, 200, "{history}");
    let check = &history["checks"][0];
    assert_eq!(check["healthy"], body["success"], "the history agrees with the answer: {check} vs {body}");
    (check["reason"].as_str().unwrap().to_string(), check["stage"].clone(), check["healthy"].as_bool().unwrap())
}

#[tokio::test]
async fn each_test_is_kept_with_its_reason_stage_and_times_newest_first() {
    let Some(sshd) = TestSshd::start() else { return };
    let account = TestAccount::shell();
    let s = SshApp::start(None).await;
    let id = s.connection(sshd.port, &account.name, false, None).await;
    let (status, empty) = checks(&s, id, "").await;
    assert_eq!((status, empty["total"].as_u64(), empty["checks"].as_array().map(Vec::len)), (200, Some(0), Some(0)));

    assert_eq!(test_once(&s, id).await, ("host_key_unknown".into(), "host_key".into(), false));
    s.trust(sshd.port, &sshd.host_keys()[0]).await;
    assert_eq!(test_once(&s, id).await, ("auth_rejected".into(), "authentication".into(), false));
    sshd.authorize(&account.name, &s.system_key);
    assert_eq!(test_once(&s, id).await, ("ok".into(), Value::Null, true));
    sshd.authorize(&account.name, &format!("restrict,command=\"echo borg serve would run\" {}", s.system_key));
    assert_eq!(test_once(&s, id).await, ("restricted_ok".into(), Value::Null, true), "healthy, with a note");

    let (_, all) = checks(&s, id, "").await;
    assert_eq!((all["total"].as_u64(), all["pages"].as_u64(), all["per_page"].as_u64()), (Some(4), Some(1), Some(50)));
    let reasons: Vec<&str> = all["checks"].as_array().unwrap().iter().map(|c| c["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["restricted_ok", "ok", "auth_rejected", "host_key_unknown"], "newest first");
    let newest = &all["checks"][0];
    assert_eq!(newest["trigger"], "manual");
    assert!(newest["message"].as_str().unwrap().contains("restricted"), "the note is kept: {newest}");
    let stages: Vec<&str> = newest["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(stages, ["tcp", "host_key", "authentication", "session"]);
    let stage_ms: u64 = newest["stages"].as_array().unwrap().iter().map(|s| s["millis"].as_u64().unwrap()).sum();
    assert!(newest["duration_ms"].as_u64().unwrap() >= stage_ms, "the whole check takes at least its stages");
    let unknown = &all["checks"][3];
    assert!(unknown["message"].as_str().unwrap().contains("host key not trusted"), "{unknown}");

    let (_, second) = checks(&s, id, "?per_page=1&page=2").await;
    assert_eq!((second["checks"][0]["reason"].as_str(), second["pages"].as_u64()), (Some("ok"), Some(4)));

    // A stopped host is `refused` at the tcp stage.
    let port = sshd.port;
    drop(sshd);
    assert_eq!(test_once(&s, id).await, ("refused".into(), "tcp".into(), false), "port {port} closed");
}

#[tokio::test]
async fn the_history_names_a_bad_parameter_and_an_unknown_connection_is_404() {
    let s = SshApp::start(None).await;
    let id = s.connection(1, "backup", false, None).await;
    for (query, field) in [
        ("?per_page=0", "per_page"),
        ("?per_page=201", "per_page"),
        ("?per_page=ten", "per_page"),
        ("?page=0", "page"),
        ("?page=-1", "page"),
    ] {
        let (status, body) = checks(&s, id, query).await;
        assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{query}: {body}");
    }
    let (status, body) = checks(&s, 9999, "").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = checks(&s, id, "?per_page=200&page=7").await;
    assert_eq!((status, body["page"].as_u64(), body["total"].as_u64()), (200, Some(1), Some(0)), "{body}");
}
