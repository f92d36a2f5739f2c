//! The inventory domain over REST: `GET /api/ssh-keys/connections/{id}/authorized-keys` (the
//! newest read, classified), `POST` to the same path (read it now; read only on the host), and
//! `GET /api/inventory?fingerprint=&class=` (the fleet view over the newest reads); a line's key
//! removed from the host, or adopted (imported as a person's key, or noted), and the notes.

use crate::api::rest::{ApiJson, ApiPath, CHANGE, CONNECT, READ, deny};
use crate::error::AppError;
use crate::model::InventoryView;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::services::inventory;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

fn inventory_json(view: &InventoryView) -> Value {
    json!({
        "success": view.error.is_none(),
        "connection_id": view.connection_id,
        "connection": view.connection,
        "read_at": view.read_at,
        "file_exists": view.file_exists,
        "error": view.error,
        "counts": view.counts,
        "drift": view.drift,
        "lines": view.lines,
    })
}

/// `GET /api/ssh-keys/connections/{id}/authorized-keys`: 404 before the first read.
pub async fn latest(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    match inventory::latest(&state.db, id).await? {
        Some(view) => Ok(Json(inventory_json(&view))),
        None => Err(AppError::NotFound(
            "This connection's authorized_keys has not been read yet; POST to this path reads it.".into(),
        )),
    }
}

/// `POST /api/ssh-keys/connections/{id}/authorized-keys`: reads the file now. A host that cannot be
/// read still answers 200, with `success: false` and the reason in `error`, as the read is kept.
pub async fn read(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    let view = inventory::read(&state.db, &state.ssh, &state.master_key, &caller.actor(), id).await?;
    Ok(Json(inventory_json(&view)))
}

#[derive(serde::Deserialize)]
pub struct LineBody {
    #[serde(default)]
    line: String,
}

/// `POST /api/ssh-keys/connections/{id}/authorized-keys/remove` with `{"line": …}`: removes the
/// exact line from the host's file (never the key Keyhaven logs in with) and answers the new read.
pub async fn remove(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<LineBody>,
) -> Result<Json<Value>, AppError> {
    let actor = caller.actor();
    let view = inventory::remove_line(&state.db, &state.ssh, &state.master_key, &actor, id, &body.line).await?;
    Ok(Json(inventory_json(&view)))
}

#[derive(serde::Deserialize)]
pub struct AdoptBody {
    #[serde(default)]
    line: String,
    user: Option<String>,
    title: Option<String>,
    note: Option<String>,
}

/// `POST /api/ssh-keys/connections/{id}/authorized-keys/adopt` with `{"line": …, "user": …,
/// "title"?: …}` or `{"line": …, "note": …}`: the line's key becomes that user's public key, or is
/// noted; answers the read classified again. Nothing on the host changes.
pub async fn adopt(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<AdoptBody>,
) -> Result<Json<Value>, AppError> {
    let how = inventory::Adoption::asked(body.user.as_deref(), body.title.as_deref(), body.note.as_deref())?;
    let policy = state.settings.key_policy();
    let importing = inventory::Importing { cache: &state.key_cache, policy: &policy };
    let view = inventory::adopt(&state.db, importing, &caller.actor(), id, &body.line, how).await?;
    Ok(Json(inventory_json(&view)))
}

/// `GET /api/inventory/notes`: every note, newest first.
pub async fn notes(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let notes = inventory::notes(&state.db).await?;
    Ok(Json(json!({"success": true, "total": notes.len(), "notes": notes})))
}

/// `DELETE /api/inventory/notes?fingerprint=SHA256:…`: forgets the note (204; 404 without one).
pub async fn forget_note(
    State(state): State<AppState>,
    caller: Authed,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<axum::http::StatusCode, AppError> {
    let pairs = query_pairs(raw.as_deref(), "fingerprint")?;
    let Some((_, fingerprint)) = pairs.iter().find(|(n, v)| n == "fingerprint" && !v.trim().is_empty()) else {
        return Err(AppError::invalid("fingerprint", "Give ?fingerprint=SHA256:… of the note to forget."));
    };
    inventory::forget_note(&state.db, &caller.actor(), fingerprint).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

fn run_json(run: &crate::model::InventoryRunView) -> Value {
    json!({"success": true, "run": run})
}

/// `POST /api/inventory/runs`: reads every connection's authorized_keys as one job; 202 with the
/// job, 409 naming `run` while one is running. Follow it at `GET /api/inventory/runs/latest`.
pub async fn start_run(
    State(state): State<AppState>,
    caller: Authed,
) -> Result<(axum::http::StatusCode, Json<Value>), AppError> {
    let run = inventory::start_run(&state.fleet_reader(), &caller.actor()).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(run_json(&run))))
}

/// `GET /api/inventory/runs/latest`: the newest read of every connection with its progress (404
/// before the first).
pub async fn latest_run(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    match inventory::latest_run(&state.db).await? {
        Some(run) => Ok(Json(run_json(&run))),
        None => Err(AppError::NotFound("No connection has been read as part of a fleet read yet.".into())),
    }
}

/// The query string's pairs in order; one that cannot be read is a 422 naming `field`.
fn query_pairs(raw: Option<&str>, field: &'static str) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::invalid(field, "The query string cannot be read."))
}

/// The fleet query from `?fingerprint=SHA256:…&class=unknown`; other parameters are ignored.
fn fleet_query(raw: Option<&str>) -> Result<inventory::FleetQuery, AppError> {
    let pairs = query_pairs(raw, "query")?;
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    Ok(inventory::FleetQuery::parse(get("fingerprint"), get("class"))?)
}

/// `GET /api/inventory?fingerprint=SHA256:…&class=unknown`: every connection whose newest read has
/// a matching key line, with those lines (no login: from the reads kept).
pub async fn fleet(
    State(state): State<AppState>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<Value>, AppError> {
    let query = fleet_query(raw.as_deref())?;
    let entries = inventory::fleet(&state.db, &query).await?;
    Ok(Json(json!({"success": true, "total": entries.len(), "connections": entries})))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`).
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .get("/api/ssh-keys/connections/{id}/authorized-keys", READ, latest)
        .post("/api/ssh-keys/connections/{id}/authorized-keys", CONNECT, read)
        .post("/api/ssh-keys/connections/{id}/authorized-keys/remove", CONNECT, remove)
        .post("/api/ssh-keys/connections/{id}/authorized-keys/adopt", CHANGE, adopt)
        .get("/api/inventory", READ, fleet)
        .get("/api/inventory/notes", READ, notes)
        .post("/api/inventory/runs", CONNECT, start_run)
        .get("/api/inventory/runs/latest", READ, latest_run)
        .delete("/api/inventory/notes", CHANGE, forget_note)
}
