//! How many connections use a key, for the SSH keys page (read only: the connections domain writes
//! that table).

use crate::server::entities::ssh_connection;
use crate::server::error::ServiceError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// (connections using the key, of which connected).
pub async fn usage(db: &impl ConnectionTrait, key_id: i32) -> Result<(u64, u64), ServiceError> {
    let using = ssh_connection::Entity::find().filter(ssh_connection::Column::SshKeyId.eq(key_id));
    let total = using.clone().count(db).await?;
    let connected = using.filter(ssh_connection::Column::Status.eq("connected")).count(db).await?;
    Ok((total, connected))
}
