//! A tower-sessions store in Keyhaven's own database, through sea-orm, so that one code path serves
//! SQLite and PostgreSQL and sessions survive a restart.
//!
//! Rows are keyed by the SHA-256 of the session id, never the id itself: whoever reads the database
//! (a backup, a leaked dump) cannot take over a signed-in browser with what they find there.

use crate::server::entities::session;
use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::Digest;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        DbSessionStore { db }
    }

    /// Removes expired sessions; the server runs this hourly.
    pub async fn delete_expired(&self) -> std::result::Result<u64, sea_orm::DbErr> {
        let result = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(chrono::Utc::now()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}

fn backend(err: impl std::fmt::Display) -> Error {
    Error::Backend(err.to_string())
}

fn to_chrono(at: time::OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(at.unix_timestamp(), 0).unwrap_or_else(chrono::Utc::now)
}

fn to_time(at: chrono::DateTime<chrono::Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(at.timestamp()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The key a session's row is stored under.
pub fn stored_id(id: &Id) -> String {
    hex::encode(sha2::Sha256::digest(id.to_string().as_bytes()))
}

fn to_row(record: &Record) -> Result<session::ActiveModel> {
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    Ok(session::ActiveModel {
        id: Set(stored_id(&record.id)),
        data: Set(data),
        expires_at: Set(to_chrono(record.expiry_date)),
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// Inserts a new session; on the (astronomically unlikely) id collision, draws a new id, so an
    /// existing session is never overwritten.
    async fn create(&self, record: &mut Record) -> Result<()> {
        for _ in 0..8 {
            match session::Entity::insert(to_row(record)?).exec(&self.db).await {
                Ok(_) => return Ok(()),
                Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(err) => return Err(backend(err)),
            }
        }
        Err(Error::Backend("could not allocate a unique session id".into()))
    }

    async fn save(&self, record: &Record) -> Result<()> {
        session::Entity::insert(to_row(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> Result<Option<Record>> {
        let row = session::Entity::find_by_id(stored_id(session_id))
            .filter(session::Column::ExpiresAt.gt(chrono::Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *session_id, data, expiry_date: to_time(row.expires_at) }))
    }

    async fn delete(&self, session_id: &Id) -> Result<()> {
        session::Entity::delete_by_id(stored_id(session_id)).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}
