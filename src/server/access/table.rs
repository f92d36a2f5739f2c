//! The authorization table: every entry point of the server with its rule, assembled from the
//! places that declare them (REST registrations, server function bodies, the page gate), and written
//! out as Markdown for `docs/authorization.md`.

use super::rpc::{RPC_PREFIX, rpc_rules};
use super::rule::Access;

/// What kind of entry point a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    /// A REST route (Borg UI- or GitHub-shaped).
    Rest,
    /// A plain HTML form post handled by axum (the key file upload).
    Form,
    /// A Leptos server function (`POST`/`GET /rpc/…`), which pages call and forms post to.
    Rpc,
    /// A page, rendered on the server behind the page gate.
    Page,
}

impl EntryKind {
    fn label(self) -> &'static str {
        match self {
            EntryKind::Rest => "REST",
            EntryKind::Form => "form post",
            EntryKind::Rpc => "server function",
            EntryKind::Page => "page",
        }
    }
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub method: String,
    pub path: String,
    pub access: Access,
}

/// Rows of every server function rule, ordered by path.
pub fn rpc_entries() -> Vec<Entry> {
    let methods: std::collections::HashMap<String, String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method.to_string()))
        .collect();
    let mut rows: Vec<Entry> = rpc_rules()
        .map(|rule| {
            let path = format!("{RPC_PREFIX}{}", rule.endpoint);
            let method = methods.get(&path).cloned().unwrap_or_else(|| "POST".into());
            Entry { kind: EntryKind::Rpc, method, path, access: rule.access }
        })
        .collect();
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    rows.dedup_by(|a, b| a.path == b.path);
    rows
}

/// The table as Markdown, one section per kind.
pub fn markdown(entries: &[Entry]) -> String {
    let mut rows = entries.to_vec();
    rows.sort_by(|a, b| (a.kind, &a.path, &a.method).cmp(&(b.kind, &b.path, &b.method)));
    let mut out = String::from(
        "# Authorization table\n\n\
         Generated from the code by `cargo test --features ssr authorization_table_is_current` \
         (`KEYHAVEN_WRITE_TABLE=1` rewrites it). Every entry point is checked by \
         `server::access::authorize` with the rule below; a route or server function without a \
         rule fails that test, and a server function without one is refused at run time.\n\n\
         - **Role**: `anyone`, `signed in` (viewer or admin) or `admin`.\n\
         - **Token**: what a bearer token needs. `refused (browser only)`: server functions and \
         pages are the browser's interface; a token gets 403 there and uses the REST route.\n\
         - **Limit**: an SSH action makes Keyhaven connect to a host; each user has an allowance of \
         them (a burst of 60, then one a second), beyond which the answer is 429.\n",
    );
    let mut current = None;
    for row in rows {
        if current != Some(row.kind) {
            current = Some(row.kind);
            out.push_str(&format!(
                "\n## {}\n\n| Method | Path | Role | Token | Limit |\n| --- | --- | --- | --- | --- |\n",
                row.kind.label()
            ));
        }
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            row.method,
            row.path,
            row.access.role_label(),
            row.access.token_label(),
            row.access.limit_label()
        ));
    }
    out
}
