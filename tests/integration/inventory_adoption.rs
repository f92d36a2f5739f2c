//! Adopting what the inventory found, against a real OpenSSH sshd: a key nobody holds is imported
//! as a person's public key (then served at `/users/{name}/keys` and shown with its holder on
//! every read), or noted (then "noted" across the fleet until the note is forgotten). Only lines
//! of the newest read can be adopted; every wrong input is a 4xx naming its field; the file on the
//! host is never touched.

use crate::common::accounts::TestAccount;
use crate::common::ssh_app::SshApp;
use crate::common::sshd::TestSshd;
use axum::http::Method;
use serde_json::{Value, json};

async fn fresh_key(comment: &str) -> String {
    let spec = keyhaven::server::ssh::keys::KeySpec::parse("ed25519", None).unwrap();
    keyhaven::server::ssh::keys::generate(spec, comment).await.unwrap().public_openssh.trim().to_string()
}

fn line(body: &Value, number: u64) -> &Value {
    body["lines"].as_array().unwrap().iter().find(|l| l["number"] == number).unwrap()
}

fn query_value(raw: &str) -> String {
    raw.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}

#[tokio::test]
async fn an_unknown_key_is_imported_as_a_persons_or_noted_and_the_host_is_left_alone() {
    let Some(sshd) = TestSshd::start() else { return };
    let sshd = &sshd;
    crate::common::on_every_engine(|db| async move {
        let s = SshApp::start_on(db, None).await;
        s.trust(sshd.port, &sshd.host_keys()[0]).await;
        let account = TestAccount::shell();
        let (bob, carol) = (fresh_key("bob@desk").await, fresh_key("rescue").await);
        let file = format!("{}\n{bob}\nrestrict {carol}\n", s.system_key.trim());
        account.write_authorized_keys(file.as_bytes());
        let id = s.connection(sshd.port, &account.name, false, None).await;
        let adopt = format!("/api/ssh-keys/connections/{id}/authorized-keys/adopt");

        let (status, body) = s.call(Method::POST, &adopt, Some(json!({"line": bob, "user": "alice"}))).await;
        assert_eq!((status, body["field"].as_str()), (409, Some("line")), "nothing read yet: {body}");
        let (status, read) =
            s.call(Method::POST, &format!("/api/ssh-keys/connections/{id}/authorized-keys"), None).await;
        assert_eq!((status, read["counts"]["unknown"].as_u64()), (200, Some(2)), "{read}");

        // Wrong inputs name their field and change nothing.
        for (body, status, field) in [
            (json!({"line": bob}), 422, "user"),
            (json!({"line": bob, "user": "alice", "note": "both"}), 422, "note"),
            (json!({"line": bob, "user": "nobody"}), 422, "user"),
            (json!({"line": bob, "note": "tab\there"}), 422, "note"),
            (json!({"line": bob, "note": "x".repeat(501)}), 422, "note"),
            (json!({"line": "", "note": "n"}), 422, "line"),
            (json!({"line": fresh_key("elsewhere").await, "note": "n"}), 409, "line"),
            (json!({"line": bob, "user": "alice", "title": "a\nb"}), 422, "title"),
        ] {
            let (got, answer) = s.call(Method::POST, &adopt, Some(body.clone())).await;
            assert_eq!((got, answer["field"].as_str()), (status, Some(field)), "{body} → {answer}");
        }
        let (status, _) = s
            .call(
                Method::POST,
                "/api/ssh-keys/connections/99999/authorized-keys/adopt",
                Some(json!({"line": bob, "note": "n"})),
            )
            .await;
        assert_eq!(status, 404);

        // Imported as alice's key: served to provisioning tools, and the line shows its holder.
        let (status, body) =
            s.call(Method::POST, &adopt, Some(json!({"line": bob, "user": "alice", "title": "bob's desk"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (line(&body, 2)["class"].as_str(), line(&body, 2)["holder"].as_str()),
            (Some("person"), Some("alice (bob's desk)"))
        );
        let (_, keys) = s.call(Method::GET, "/users/alice/keys", None).await;
        assert!(keys.to_string().contains(bob.split(' ').nth(1).unwrap()), "{keys}");
        let (status, again) = s.call(Method::POST, &adopt, Some(json!({"line": bob, "user": "alice"}))).await;
        assert_eq!((status, again["field"].as_str()), (409, Some("key")), "already someone's: {again}");

        // Noted: the line with its options is adopted as it was shown; the note is its holder everywhere.
        let restricted = format!("restrict {carol}");
        let (status, body) =
            s.call(Method::POST, &adopt, Some(json!({"line": restricted, "note": "Hetzner rescue key"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (line(&body, 3)["class"].as_str(), line(&body, 3)["holder"].as_str()),
            (Some("noted"), Some("Hetzner rescue key"))
        );
        assert_eq!(
            (body["counts"]["noted"].as_u64(), body["counts"]["unknown"].as_u64()),
            (Some(1), Some(0)),
            "{body}"
        );
        let (_, fleet) = s.call(Method::GET, "/api/inventory?class=noted", None).await;
        assert_eq!(fleet["total"], 1, "{fleet}");
        let (_, notes) = s.call(Method::GET, "/api/inventory/notes", None).await;
        let fingerprint = notes["notes"][0]["fingerprint"].as_str().unwrap().to_string();
        assert_eq!(
            (notes["notes"][0]["note"].as_str(), notes["notes"][0]["noted_by"].as_str()),
            (Some("Hetzner rescue key"), Some("alice"))
        );
        let (status, body) =
            s.call(Method::POST, &adopt, Some(json!({"line": restricted, "note": "rescue, until March"}))).await;
        assert_eq!(
            (status, line(&body, 3)["holder"].as_str()),
            (200, Some("rescue, until March")),
            "a second note replaces the first"
        );

        // Forgotten: unknown again.
        let forget = format!("/api/inventory/notes?fingerprint={}", query_value(&fingerprint));
        let (status, _) = s.call(Method::DELETE, &forget, None).await;
        assert_eq!(status, 204);
        let (status, _) = s.call(Method::DELETE, &forget, None).await;
        assert_eq!(status, 404);
        let (status, body) = s.call(Method::DELETE, "/api/inventory/notes", None).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("fingerprint")));
        let (_, latest) = s.call(Method::GET, &format!("/api/ssh-keys/connections/{id}/authorized-keys"), None).await;
        assert_eq!(line(&latest, 3)["class"].as_str(), Some("unknown"), "{latest}");

        assert_eq!(account.authorized_keys().unwrap(), file.as_bytes(), "adopting never touches the host");
        let (_, audit) = s.call(Method::GET, "/api/audit?per_page=100", None).await;
        let audit = audit.to_string();
        assert!(audit.contains("inventory.adopted") && audit.contains("inventory.note_forgotten"), "{audit}");
        assert!(audit.contains(&fingerprint), "the audit names the fingerprint");
    })
    .await;
}
