//! Admin routes: API tokens, hash lists, the audit log. Admin role only.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use sqlx::Row as _;

use super::{body_bytes, caller};
use crate::audit;
use crate::auth::{self, Role};
use crate::error::ApiError;
use crate::hashlist;
use crate::state::Shared;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    role: String,
}

pub async fn add_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let who = caller(&state, &headers).await?;
    who.require(Role::Admin)?;
    let bytes = body_bytes(&headers, body, 4096).await?;
    let new: NewToken = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(
            "invalid-input",
            format!("expected {{\"name\", \"role\"}}: {e}"),
        )
    })?;
    let role = Role::parse(&new.role)
        .ok_or_else(|| ApiError::bad_request("invalid-input", "role is caseworker or admin"))?;
    if !crate::names::is_plain_name(&new.name) {
        return Err(ApiError::bad_request(
            "invalid-input",
            "a name is 1 to 100 characters",
        ));
    }
    let (id, token) = auth::add_token(&state.db, &new.name, role)
        .await
        .map_err(|e| ApiError::storage(&e))?;
    audit::record(
        &state.db.pool,
        &who.actor,
        "token-added",
        None,
        Some(&format!("{id} {}", new.name)),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": id, "token": token })),
    ))
}

pub async fn tokens(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let who = caller(&state, &headers).await?;
    who.require(Role::Admin)?;
    let rows =
        sqlx::query("SELECT id, name, role, disabled, created_at FROM tokens ORDER BY created_at")
            .fetch_all(&state.db.pool)
            .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(serde_json::json!({
                "id": r.try_get::<String, _>("id")?,
                "name": r.try_get::<String, _>("name")?,
                "role": r.try_get::<String, _>("role")?,
                "disabled": r.try_get::<i64, _>("disabled")? != 0,
                "created_at": crate::clock::utc(r.try_get("created_at")?),
            }))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Json(serde_json::json!({ "tokens": list })))
}

pub async fn disable_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let who = caller(&state, &headers).await?;
    who.require(Role::Admin)?;
    let done = sqlx::query("UPDATE tokens SET disabled = 1 WHERE id = $1")
        .bind(&id)
        .execute(&state.db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    audit::record(
        &state.db.pool,
        &who.actor,
        "token-disabled",
        None,
        Some(&id),
    )
    .await?;
    Ok(Json(serde_json::json!({ "id": id, "disabled": true })))
}

#[derive(serde::Deserialize)]
pub struct ListName {
    name: String,
}

/// `POST /v1/admin/hashlists?name=NAME`, the CSV as the body.
pub async fn import_hashlist(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListName>,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let who = caller(&state, &headers).await?;
    who.require(Role::Admin)?;
    let bytes = body_bytes(&headers, body, 64 * 1024 * 1024).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::bad_request("invalid-hashlist", "the list is not UTF-8 text"))?;
    let entries =
        hashlist::parse(text).map_err(|e| ApiError::bad_request("invalid-hashlist", e))?;
    let n = hashlist::import(&state.db, &q.name, &entries)
        .await
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, "invalid-hashlist", e))?;
    state.pdq.refresh(&state.db).await?;
    audit::record(
        &state.db.pool,
        &who.actor,
        "hashlist-imported",
        None,
        Some(&format!("{} ({n})", q.name)),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "name": q.name, "entries": n })),
    ))
}

#[derive(serde::Deserialize)]
pub struct AuditQuery {
    limit: Option<i64>,
}

pub async fn audit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let who = caller(&state, &headers).await?;
    who.require(Role::Admin)?;
    let rows = sqlx::query(
        "SELECT at, actor, action, report_id, detail FROM audit_log ORDER BY seq DESC LIMIT $1",
    )
    .bind(q.limit.unwrap_or(200).clamp(1, 10_000))
    .fetch_all(&state.db.pool)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(serde_json::json!({
                "at": crate::clock::utc(r.try_get("at")?),
                "actor": r.try_get::<String, _>("actor")?,
                "action": r.try_get::<String, _>("action")?,
                "report_id": r.try_get::<Option<String>, _>("report_id")?,
                "detail": r.try_get::<Option<String>, _>("detail")?,
            }))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Json(serde_json::json!({ "audit": list })))
}
