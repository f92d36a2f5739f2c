//! The setup wizard's progress, kept in the database (`app_settings.setup_step`) so that a
//! restart, another browser or another admin resumes where it stopped. Steps: admin → key →
//! connection → done; the admin step is over once the first admin exists.

use crate::server::entities::app_setting;
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

const STEP_SETTING: &str = "setup_step";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Admin,
    Key,
    Connection,
    Done,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Admin => "admin",
            Step::Key => "key",
            Step::Connection => "connection",
            Step::Done => "done",
        }
    }

    /// The steps a user may move to (the admin step only ends by creating the admin).
    pub fn parse_target(raw: &str) -> Result<Step, ServiceError> {
        match raw {
            "key" => Ok(Step::Key),
            "connection" => Ok(Step::Connection),
            "done" => Ok(Step::Done),
            _ => Err(ServiceError::invalid("step", "Step must be key, connection or done.")),
        }
    }
}

/// Where the wizard stands.
pub async fn current(db: &impl ConnectionTrait) -> Result<Step, ServiceError> {
    if !crate::server::services::accounts::setup_done(db).await? {
        return Ok(Step::Admin);
    }
    stored_step(db).await
}

/// Where the wizard stands once the first admin exists (the caller knows that already, e.g. from
/// `AppState::setup_done`, which is cached).
pub async fn stored_step(db: &impl ConnectionTrait) -> Result<Step, ServiceError> {
    let stored = app_setting::Entity::find_by_id(STEP_SETTING).one(db).await?;
    Ok(stored.and_then(|row| Step::parse_target(&row.value).ok()).unwrap_or(Step::Key))
}

/// Moves the wizard to `step` (Next, Back and Skip all land here). Finishing is audited.
pub async fn go_to(db: &impl ConnectionTrait, actor: &Actor, step: &str) -> Result<Step, ServiceError> {
    let step = Step::parse_target(step)?;
    if current(db).await? == Step::Admin {
        return Err(ServiceError::conflict("step", "Create the admin account first."));
    }
    let row = app_setting::ActiveModel { key: Set(STEP_SETTING.into()), value: Set(step.as_str().into()) };
    app_setting::Entity::insert(row)
        .on_conflict(OnConflict::column(app_setting::Column::Key).update_column(app_setting::Column::Value).to_owned())
        .exec(db)
        .await?;
    if step == Step::Done {
        audit::record(db, actor, Event { action: "setup.finished", target: "setup", success: true, detail: "" })
            .await?;
    }
    Ok(step)
}
