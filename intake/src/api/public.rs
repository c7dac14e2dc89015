//! The two routes the extension calls: a report, then (when the person ticked it) its evidence
//! file. No cookies, rate-limited per address.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::body_bytes;
use crate::error::ApiError;
use crate::evidence::{self, MAX_EVIDENCE_BYTES};
use crate::report::{self, MAX_REPORT_BYTES};
use crate::reports;
use crate::state::Shared;

fn limited() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "too many requests from this address; try again in a minute",
    )
}

/// `POST /v1/reports`: 201 with the id, the receipt and where to send the evidence file; 200
/// with the same answer when these exact bytes had already been received.
pub async fn post_report(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    if !state.allow(peer.ip()) {
        return Err(limited());
    }
    let bytes = body_bytes(&headers, body, MAX_REPORT_BYTES).await?;
    let (parsed, keys) = report::parse(&bytes)
        .map_err(|e| ApiError::bad_request("invalid-report", e.to_string()))?;
    let received = reports::receive(&state, &bytes, &parsed, &keys).await?;
    let token = evidence::token_for(&state.evidence_key, &received.id)?;
    let body = serde_json::json!({
        "id": received.id,
        "received_at": crate::clock::utc(received.received_at_ms),
        "receipt": serde_json::from_str::<serde_json::Value>(&received.receipt)
            .unwrap_or(serde_json::Value::Null),
        "evidence_url": format!("/v1/reports/{}/evidence", received.id),
        "evidence_token": token,
    });
    let status = if received.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::LOCATION, format!("/v1/reports/{}", received.id))],
        Json(body),
    )
        .into_response())
}

/// `PUT /v1/reports/{id}/evidence`: the verdict on the evidence file.
pub async fn put_evidence(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<evidence::Verdict>, ApiError> {
    if !state.allow(peer.ip()) {
        return Err(limited());
    }
    if id.len() != 20 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found());
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    // An upload may hold 64 MiB while it arrives (at most 16 at once, each cut off after the
    // body timeout), and its check inflates more: 4 checks at a time.
    let reading = state
        .reading_slots
        .acquire()
        .await
        .map_err(|e| ApiError::storage(&e))?;
    let bytes = body_bytes(&headers, body, MAX_EVIDENCE_BYTES).await?;
    drop(reading);
    let _checking = state
        .evidence_slots
        .acquire()
        .await
        .map_err(|e| ApiError::storage(&e))?;
    evidence::receive(&state, &id, token.as_deref(), bytes)
        .await
        .map(Json)
}
