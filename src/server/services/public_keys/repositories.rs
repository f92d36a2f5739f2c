//! Named backup repositories owned by users; each carries its own deploy keys.
//!
//! Every signed-in user can see every repository (a team's internal catalogue); only its owner or
//! an admin may delete it or read and change its deploy keys.

use super::store::{PageRequest, Paged};
use crate::model::{RepositoryView, Role};
use crate::server::entities::{public_key, repository, user};
use crate::server::error::ServiceError;
use crate::server::services::audit::{self, Actor, Event};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, SqlErr, TransactionTrait,
};

const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 500;

/// A repository with its owner's login, as the API shows it.
#[derive(Clone, Debug)]
pub struct RepoWithOwner {
    pub repo: repository::Model,
    pub owner: user::Model,
}

/// GitHub's rule: letters, digits, `.`, `_` and `-`, at most 100; never `.` or `..`.
pub fn validate_repository_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Name is required"));
    }
    let allowed = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !allowed || name.chars().count() > MAX_NAME || name == "." || name == ".." {
        return Err(ServiceError::invalid(
            "name",
            format!("Name must be 1–{MAX_NAME} letters, digits, '.', '_' or '-' (and not '.' or '..')"),
        ));
    }
    Ok(name.to_string())
}

pub async fn create_repository(
    db: &DatabaseConnection,
    actor: &Actor,
    owner: &user::Model,
    name: Option<&str>,
    description: Option<&str>,
) -> Result<repository::Model, ServiceError> {
    let name = validate_repository_name(name.unwrap_or_default())?;
    let description = description.map(str::trim).unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ServiceError::invalid(
            "description",
            format!("Description must be at most {MAX_DESCRIPTION} characters"),
        ));
    }
    let now = chrono::Utc::now();
    let row = repository::ActiveModel {
        owner_id: Set(owner.id),
        name: Set(name.clone()),
        description: Set(description.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let txn = db.begin().await?;
    let saved = row.insert(&txn).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::conflict("name", "name already exists on this account")
        }
        _ => err.into(),
    })?;
    let target = format!("{}/{}", owner.username, saved.name);
    audit::record(&txn, actor, Event { action: "repository.created", target: &target, success: true, detail: "" })
        .await?;
    txn.commit().await?;
    Ok(saved)
}

/// A page of one user's repositories, by name.
pub async fn list_owned_repositories(
    db: &impl ConnectionTrait,
    owner_id: i32,
    page: PageRequest,
) -> Result<Paged<repository::Model>, ServiceError> {
    let query = repository::Entity::find().filter(repository::Column::OwnerId.eq(owner_id));
    super::store::fetch_page(db, query.order_by_asc(repository::Column::Name), page).await
}

/// `owner/name`, for any signed-in user; unknown owners and names are "not found".
pub async fn find_repository(
    db: &impl ConnectionTrait,
    owner: &str,
    name: &str,
) -> Result<RepoWithOwner, ServiceError> {
    let not_found = || ServiceError::NotFound("Not Found".into());
    let owner = crate::server::services::accounts::find_by_username(db, owner).await?.ok_or_else(not_found)?;
    let repo = repository::Entity::find()
        .filter(repository::Column::OwnerId.eq(owner.id))
        // Names are unique regardless of case (as on GitHub): either spelling finds the repository.
        .filter(Expr::expr(Func::lower(Expr::col(repository::Column::Name))).eq(name.to_ascii_lowercase()))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    Ok(RepoWithOwner { repo, owner })
}

/// Deploy keys and deletion are for the owner and admins only.
pub fn require_repo_admin(found: &RepoWithOwner, caller: &user::Model, role: Role) -> Result<(), ServiceError> {
    if found.owner.id == caller.id || role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Must have admin rights to Repository.".into()))
    }
}

/// Deletes a repository; its deploy keys go with it (the foreign key cascades).
pub async fn delete_repository(
    db: &DatabaseConnection,
    cache: &super::cache::KeyListCache,
    actor: &Actor,
    found: &RepoWithOwner,
) -> Result<(), ServiceError> {
    let txn = db.begin().await?;
    repository::Entity::delete_by_id(found.repo.id).exec(&txn).await?;
    let target = format!("{}/{}", found.owner.username, found.repo.name);
    audit::record(&txn, actor, Event { action: "repository.deleted", target: &target, success: true, detail: "" })
        .await?;
    txn.commit().await?;
    cache.invalidate(super::owner::KeyOwner::Repository(found.repo.id));
    Ok(())
}

/// Whether `caller` may see and change the repository's deploy keys.
pub fn can_manage(found: &RepoWithOwner, caller: &user::Model, role: Role) -> bool {
    require_repo_admin(found, caller, role).is_ok()
}

async fn deploy_key_count(db: &impl ConnectionTrait, repo_id: i32) -> Result<u64, ServiceError> {
    Ok(public_key::Entity::find().filter(public_key::Column::RepositoryId.eq(repo_id)).count(db).await?)
}

pub async fn repository_view(
    db: &impl ConnectionTrait,
    found: &RepoWithOwner,
    caller: &user::Model,
    role: Role,
) -> Result<RepositoryView, ServiceError> {
    let can_manage = can_manage(found, caller, role);
    Ok(RepositoryView {
        id: found.repo.id,
        owner: found.owner.username.clone(),
        name: found.repo.name.clone(),
        description: found.repo.description.clone(),
        created_at: crate::server::services::rfc3339(&found.repo.created_at),
        deploy_key_count: if can_manage { deploy_key_count(db, found.repo.id).await? } else { 0 },
        can_manage,
    })
}

/// Every repository with its owner, by owner and name, for the Repositories page.
pub async fn list_all_repositories(db: &impl ConnectionTrait) -> Result<Vec<RepoWithOwner>, ServiceError> {
    let rows = repository::Entity::find().find_also_related(user::Entity).all(db).await?;
    let mut all: Vec<RepoWithOwner> =
        rows.into_iter().filter_map(|(repo, owner)| owner.map(|owner| RepoWithOwner { repo, owner })).collect();
    all.sort_by(|a, b| (&a.owner.username, &a.repo.name).cmp(&(&b.owner.username, &b.repo.name)));
    Ok(all)
}
