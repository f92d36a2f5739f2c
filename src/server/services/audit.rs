//! The audit trail: who did what to which target, when, from where, and whether it worked.

use crate::model::{AuditEntryView, AuditPage};
use crate::server::entities::audit_log;
use crate::server::error::ServiceError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// Who acted, as the audit log records it.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub id: Option<i32>,
    pub name: String,
    pub client_addr: String,
}

impl Actor {
    /// For actions taken on the command line.
    pub fn cli() -> Actor {
        Actor { id: None, name: "cli".into(), client_addr: "local".into() }
    }

    /// For what Keyhaven does on its own (scheduled checks, alert deliveries).
    pub fn system() -> Actor {
        Actor { id: None, name: "keyhaven".into(), client_addr: "local".into() }
    }
}

/// One entry to record. `detail` must never hold a secret.
pub struct Event<'a> {
    pub action: &'a str,
    pub target: &'a str,
    pub success: bool,
    pub detail: &'a str,
}

pub async fn record(db: &impl ConnectionTrait, actor: &Actor, event: Event<'_>) -> Result<(), ServiceError> {
    audit_log::ActiveModel {
        at: Set(chrono::Utc::now()),
        actor_id: Set(actor.id),
        actor_name: Set(truncate(&actor.name, 64)),
        action: Set(event.action.to_string()),
        target: Set(truncate(event.target, 255)),
        client_addr: Set(truncate(&actor.client_addr, 64)),
        result: Set(if event.success { "success" } else { "failure" }.to_string()),
        detail: Set(event.detail.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Filters for the audit page; empty strings mean "any".
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub action: String,
    pub actor: String,
    pub page: u64,
    pub per_page: u64,
}

pub async fn list(db: &impl ConnectionTrait, filter: &AuditFilter) -> Result<AuditPage, ServiceError> {
    let per_page = filter.per_page.clamp(1, 200);
    let mut query = audit_log::Entity::find();
    if !filter.action.trim().is_empty() {
        query = query.filter(audit_log::Column::Action.starts_with(filter.action.trim()));
    }
    if !filter.actor.trim().is_empty() {
        query = query.filter(audit_log::Column::ActorName.eq(filter.actor.trim()));
    }
    let paginator =
        query.order_by_desc(audit_log::Column::At).order_by_desc(audit_log::Column::Id).paginate(db, per_page);
    let total_pages = paginator.num_pages().await?.max(1);
    let page = filter.page.max(1).min(total_pages);
    let rows = paginator.fetch_page(page - 1).await?;
    Ok(AuditPage { entries: rows.into_iter().map(to_view).collect(), page, total_pages })
}

fn to_view(row: audit_log::Model) -> AuditEntryView {
    AuditEntryView {
        id: row.id,
        at: row.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        actor: row.actor_name,
        action: row.action,
        target: row.target,
        client_addr: row.client_addr,
        result: row.result,
        detail: row.detail,
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
