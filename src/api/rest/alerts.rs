//! The alerts domain over REST: the channels alerts go to (`/api/alerts/channels`, admin only;
//! secrets are accepted, never returned — `signed` and `has_password` say whether one is set),
//! a test alert, and each channel's deliveries.

use crate::api::rest::{ApiJson, ApiPath, CHANGE, deny, page_params};
use crate::error::AppError;
use crate::server::access::GuardedRoutes;
use crate::server::auth::Authed;
use crate::server::entities::alert_delivery;
use crate::server::services::alerts;
use crate::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// A channel as a client sends it; every field optional so an update sends only what changes.
#[derive(Debug, Default, Deserialize)]
pub struct ChannelBody {
    name: Option<String>,
    kind: Option<String>,
    enabled: Option<bool>,
    url: Option<String>,
    secret: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<i64>,
    tls: Option<String>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    to: Option<Vec<String>>,
    digest_minutes: Option<i64>,
}

impl From<ChannelBody> for alerts::ChannelInput {
    fn from(b: ChannelBody) -> Self {
        alerts::ChannelInput {
            name: b.name,
            kind: b.kind,
            enabled: b.enabled,
            url: b.url,
            secret: b.secret,
            smtp_host: b.smtp_host,
            smtp_port: b.smtp_port,
            tls: b.tls,
            username: b.username,
            password: b.password,
            from: b.from,
            to: b.to,
            digest_minutes: b.digest_minutes,
        }
    }
}

fn delivery_json(d: &alert_delivery::Model) -> Value {
    json!(alerts::delivery_view(d))
}

/// `GET /api/alerts/channels`.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let channels: Vec<_> = alerts::list(&state.db).await?.iter().map(alerts::view).collect();
    Ok(Json(json!({"success": true, "channels": channels})))
}

/// `POST /api/alerts/channels`: 201 with the channel.
pub async fn create(
    State(state): State<AppState>,
    caller: Authed,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let saved = alerts::create(&state.db, &state.master_key, &caller.actor(), &body.into()).await?;
    Ok((StatusCode::CREATED, Json(json!({"success": true, "channel": alerts::view(&saved)}))))
}

/// `GET /api/alerts/channels/{id}`.
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<i32>) -> Result<Json<Value>, AppError> {
    let channel = alerts::get(&state.db, id).await?;
    Ok(Json(json!({"success": true, "channel": alerts::view(&channel)})))
}

/// `PATCH /api/alerts/channels/{id}`: what the body leaves out keeps its value; `""` clears a
/// secret or the username.
pub async fn update(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<Json<Value>, AppError> {
    let saved = alerts::update(&state.db, &state.master_key, &caller.actor(), id, &body.into()).await?;
    Ok(Json(json!({"success": true, "channel": alerts::view(&saved)})))
}

/// `DELETE /api/alerts/channels/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    alerts::delete(&state.db, &caller.actor(), id).await?;
    Ok(Json(json!({"success": true, "message": "Alert channel deleted"})))
}

/// `POST /api/alerts/channels/{id}/test`: sends a test alert now and answers with its delivery
/// (`status` `sent` or `failed`, `detail` the receiver's answer or why it failed).
pub async fn test(
    State(state): State<AppState>,
    caller: Authed,
    ApiPath(id): ApiPath<i32>,
) -> Result<Json<Value>, AppError> {
    let delivery = alerts::send_test(&state.db, &state.master_key, &caller.actor(), id).await?;
    Ok(Json(json!({"success": delivery.status == "sent", "delivery": delivery_json(&delivery)})))
}

/// `GET /api/alerts/channels/{id}/deliveries?page=1&per_page=50`, newest first.
pub async fn deliveries(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i32>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Json<Value>, AppError> {
    let (per_page, page) = page_params(query.as_deref(), 50, 200)?;
    let found = alerts::deliveries(&state.db, id, per_page, page).await?;
    let rows: Vec<Value> = found.rows.iter().map(delivery_json).collect();
    Ok(Json(json!({"success": true, "deliveries": rows, "total": found.total, "page": found.page,
        "pages": found.pages, "per_page": per_page})))
}

/// This domain's REST routes with their rules (see `docs/authorization.md`): channels are
/// settings, so reading them takes the admin role too.
pub fn routes(state: &AppState) -> GuardedRoutes {
    GuardedRoutes::new(state, deny)
        .get("/api/alerts/channels", CHANGE, list)
        .post("/api/alerts/channels", CHANGE, create)
        .get("/api/alerts/channels/{id}", CHANGE, get)
        .patch("/api/alerts/channels/{id}", CHANGE, update)
        .delete("/api/alerts/channels/{id}", CHANGE, delete)
        .post("/api/alerts/channels/{id}/test", CHANGE, test)
        .get("/api/alerts/channels/{id}/deliveries", CHANGE, deliveries)
}
