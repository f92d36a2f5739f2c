//! The fleet view over every connection's newest read: "where can this fingerprint log in?" and
//! "which hosts have unknown keys?". Answered from the reads kept, so it costs no login; each
//! answer says when its read was made.

use super::classify::classify;
use super::known::known;
use crate::model::{CLASSES, FleetEntry, InventoryLine};
use crate::server::entities::{inventory_read, ssh_connection};
use crate::server::error::ServiceError;
use crate::server::services::connections;
use crate::server::services::rfc3339;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// What to look for across the fleet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetQuery {
    /// `SHA256:…`: the lines that let this key in.
    pub fingerprint: Option<String>,
    /// A class (`unknown`, `person`, …): the lines of that class.
    pub class: Option<String>,
}

impl FleetQuery {
    /// The question as typed (REST query or the page's form): blank means "any"; a fingerprint must
    /// be `SHA256:…`, a class one of [`CLASSES`].
    pub fn parse(fingerprint: Option<&str>, class: Option<&str>) -> Result<FleetQuery, ServiceError> {
        let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let (fingerprint, class) = (given(fingerprint), given(class));
        if let Some(f) = &fingerprint {
            let hash = f.strip_prefix("SHA256:").unwrap_or("");
            if hash.is_empty() || hash.len() > 64 {
                return Err(ServiceError::invalid(
                    "fingerprint",
                    "fingerprint must be SHA256:… as ssh-keygen -l prints it",
                ));
            }
        }
        if class.as_ref().is_some_and(|c| !CLASSES.contains(&c.as_str())) {
            return Err(ServiceError::invalid("class", format!("class must be one of {}", CLASSES.join(", "))));
        }
        Ok(FleetQuery { fingerprint, class })
    }
}

/// The newest read of every connection that has one.
async fn newest_reads(db: &impl ConnectionTrait) -> Result<Vec<inventory_read::Model>, ServiceError> {
    let ids: Vec<i32> = inventory_read::Entity::find()
        .select_only()
        .column_as(Expr::col(inventory_read::Column::Id).max(), "id")
        .group_by(inventory_read::Column::ConnectionId)
        .into_tuple::<i32>()
        .all(db)
        .await?;
    let mut reads = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        reads.extend(
            inventory_read::Entity::find()
                .filter(inventory_read::Column::Id.is_in(chunk.to_vec()))
                .order_by_asc(inventory_read::Column::ConnectionId)
                .all(db)
                .await?,
        );
    }
    Ok(reads)
}

fn matches(line: &InventoryLine, query: &FleetQuery) -> bool {
    line.kind == "key"
        && query.fingerprint.as_ref().is_none_or(|f| line.fingerprint.as_deref() == Some(f.as_str()))
        && query.class.as_ref().is_none_or(|c| line.class.as_deref() == Some(c.as_str()))
}

/// Every connection whose newest read has a line matching `query`, with those lines; a query with
/// neither field lists every connection's key lines. Connections whose newest read failed are
/// listed with their error when nothing is asked for a fingerprint or class.
pub async fn fleet(db: &impl ConnectionTrait, query: &FleetQuery) -> Result<Vec<FleetEntry>, ServiceError> {
    let known = known(db).await?;
    let reads = newest_reads(db).await?;
    let ids: Vec<i32> = reads.iter().map(|r| r.connection_id).collect();
    let mut names: HashMap<i32, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        for c in ssh_connection::Entity::find().filter(ssh_connection::Column::Id.is_in(chunk.to_vec())).all(db).await?
        {
            names.insert(c.id, connections::label(&c));
        }
    }
    let asked = query.fingerprint.is_some() || query.class.is_some();
    let mut entries = Vec::new();
    for read in reads {
        let (lines, _) = classify(read.content.as_deref().unwrap_or(""), &known);
        let lines: Vec<InventoryLine> = lines.into_iter().filter(|l| matches(l, query)).collect();
        if lines.is_empty() && (asked || read.error.is_none()) {
            continue;
        }
        entries.push(FleetEntry {
            connection_id: read.connection_id,
            connection: names.get(&read.connection_id).cloned().unwrap_or_default(),
            read_at: rfc3339(&read.read_at),
            error: read.error,
            lines,
        });
    }
    Ok(entries)
}
