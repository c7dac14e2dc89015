//! Case workers' routes: the queue, a case, a status change, the export. Each needs a token of
//! the case-worker role or above, and each is written to the audit log.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::{body_bytes, caller, reader};
use crate::audit;
use crate::auth::Role;
use crate::cases::{self, Change, Filter};
use crate::error::ApiError;
use crate::export;
use crate::state::Shared;

pub async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&state, &headers).await?;
    who.require(Role::Caseworker)?;
    let cases = cases::list(&state, &filter).await?;
    audit::record(&state.db.pool, &who.actor, "queue-viewed", None, None).await?;
    Ok(Json(serde_json::json!({ "cases": cases })))
}

pub async fn get(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let who = reader(&state, &headers).await?;
    who.require(Role::Caseworker)?;
    cases::get(&state, &id, &who.actor).await.map(Json)
}

pub async fn status(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> Result<Json<cases::Summary>, ApiError> {
    let who = caller(&state, &headers).await?;
    who.require(Role::Caseworker)?;
    let bytes = body_bytes(&headers, body, 64 * 1024).await?;
    let change: Change = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(
            "invalid-status",
            format!("expected {{\"status\", \"note\"}}: {e}"),
        )
    })?;
    cases::change_status(&state, &id, &change, &who.actor)
        .await
        .map(Json)
}

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let who = reader(&state, &headers).await?;
    who.require(Role::Caseworker)?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "csv" | "json") {
        return Err(ApiError::bad_request(
            "invalid-query",
            "format is csv or json",
        ));
    }
    let lines = export::lines(&state).await?;
    audit::record(&state.db.pool, &who.actor, "exported", None, Some(format)).await?;
    Ok(if format == "csv" {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"sentinelle-intake-export.csv\"",
                ),
            ],
            export::to_csv(&lines)?,
        )
            .into_response()
    } else {
        Json(serde_json::json!({ "cases": lines })).into_response()
    })
}
