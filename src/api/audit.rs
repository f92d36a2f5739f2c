use crate::error::AppError;
use crate::model::AuditPage;
use leptos::prelude::*;

/// A page of the audit log, newest first; admins only.
#[server(prefix = "/rpc", endpoint = "load_audit_page")]
pub async fn load_audit_page(action: String, actor: String, page: u64) -> Result<AuditPage, AppError> {
    use crate::server::{context, services::audit};
    let (state, _caller) = context::caller(crate::rpc_rule!("load_audit_page", BROWSER_ADMIN)).await?;
    let filter = audit::AuditFilter { action, actor, page, per_page: 50 };
    Ok(audit::list(&state.db, &filter).await?)
}
