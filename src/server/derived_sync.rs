//! Keeps the derived files (`data/ssh/known_hosts`, `ssh_config`, `keys/*.pub`) in step with the
//! database: after every successful change to keys, connections or known hosts — whether it came
//! through the REST API, a server function or a form post — they are rewritten before the answer
//! leaves, so a tool started right after sees the change.

use crate::server::services::derived_files;
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

/// Whether a request to `path` can change what the derived files hold.
fn changes_ssh_material(path: &str) -> bool {
    path.starts_with("/api/ssh-keys")
        || path.starts_with("/api/known-hosts")
        || path.starts_with("/settings/ssh-keys/")
        || path.strip_prefix("/rpc/").is_some_and(|name| {
            !["list_", "get_", "scan_", "test_", "refresh_"].iter().any(|read| name.starts_with(read))
                && ["ssh_key", "connection", "known_host"].iter().any(|w| name.contains(w))
        })
}

pub async fn sync_after_change(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let relevant = request.method() != Method::GET && changes_ssh_material(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if relevant
        && (status.is_success() || status.is_redirection())
        && let Err(err) = derived_files::sync(&state.db, &state.settings.data_dir).await
    {
        tracing::error!(error = %err, "could not rewrite the files in data/ssh");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::changes_ssh_material;

    #[test]
    fn only_key_connection_and_host_changes_rewrite_the_files() {
        for path in [
            "/api/ssh-keys/connections/3",
            "/api/known-hosts/import",
            "/rpc/delete_ssh_key",
            "/settings/ssh-keys/upload",
        ] {
            assert!(changes_ssh_material(path), "{path}");
        }
        for path in [
            "/api/users",
            "/rpc/login",
            "/user/keys",
            "/api/tokens",
            "/rpc/list_connections",
            "/rpc/get_progress",
            "/rpc/scan_known_host",
        ] {
            assert!(!changes_ssh_material(path), "{path}");
        }
    }
}
