//! The HTTP API (docs/intake.md): public routes the extension calls, case workers' routes,
//! admin routes. Every answer is JSON (the export may be CSV); every error is
//! `{"error": {"code", "message"}}`.

mod admin;
mod caseworker;
mod public;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::auth::{caller_from_bearer, Caller};
use crate::error::ApiError;
use crate::state::Shared;

/// The routes.
pub fn router(state: Shared) -> Router {
    // CORS only on the two routes the extension calls: any origin (extensions have their own),
    // no credentials, so no cookie of the intake's can ride along.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST, Method::PUT])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .max_age(Duration::from_secs(600));
    let public = Router::new()
        .route("/v1/reports", post(public::post_report))
        .route("/v1/reports/{id}/evidence", put(public::put_evidence))
        .layer(cors);
    let private = Router::new()
        .route("/v1/cases", get(caseworker::list))
        .route("/v1/cases/{id}", get(caseworker::get))
        .route("/v1/cases/{id}/status", post(caseworker::status))
        .route("/v1/export", get(caseworker::export))
        .route(
            "/v1/admin/tokens",
            get(admin::tokens).post(admin::add_token),
        )
        .route("/v1/admin/tokens/{id}/disable", post(admin::disable_token))
        .route("/v1/admin/hashlists", post(admin::import_hashlist))
        .route("/v1/admin/audit", get(admin::audit));
    Router::new()
        .merge(public)
        .merge(private)
        .merge(crate::pages::router())
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { ApiError::not_found() })
        // Each route reads its body with its own limit (and a JSON error); the framework's
        // default limit would answer in plain text.
        .layer(DefaultBodyLimit::disable())
        // A client that sends its body slower than this is cut off (408): a few slow senders
        // cannot hold the evidence slots or the server's memory.
        .layer(RequestBodyTimeoutLayer::new(state.body_timeout))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The pages set their own (styles and pictures from the intake); JSON gets nothing at all.
    h.entry("content-security-policy")
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

/// The caller named by the request's bearer token.
async fn caller(state: &Shared, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    caller_from_bearer(&state.db, &state.tokens, header).await
}

/// For reading routes (GET): the bearer token's caller or, without one, the signed-in user of
/// the pages (their session cookie). Changing routes take tokens only: a cookie rides along on
/// requests another site makes, a bearer token never does.
async fn reader(state: &Shared, headers: &HeaderMap) -> Result<Caller, ApiError> {
    if headers.contains_key(header::AUTHORIZATION) {
        return caller(state, headers).await;
    }
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    match crate::pages::current_session(state, cookies).await? {
        Some(s) => Ok(Caller {
            actor: format!("user:{}", s.user),
            role: s.role,
        }),
        None => Err(ApiError::unauthorized()),
    }
}

/// Reads a request body up to `limit` bytes, or answers 413. A body declared far over the
/// limit is refused before reading. One that turns out over it is still read (and dropped) up to
/// [`DRAIN_FACTOR`] times the limit before the answer, so a client that is still sending reads
/// the 413 instead of a broken connection. A body that arrives too slowly is a 408.
async fn body_bytes(
    headers: &HeaderMap,
    body: axum::body::Body,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt as _;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > (DRAIN_FACTOR * limit) as u64) {
        return Err(ApiError::too_large(limit));
    }
    let mut body = body;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(read_error)?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= limit {
                kept.extend_from_slice(&data);
            } else if seen > DRAIN_FACTOR * limit {
                break;
            }
        }
    }
    if seen > limit {
        return Err(ApiError::too_large(limit));
    }
    Ok(kept)
}

/// How far past its limit a body is read before the 413 (then the connection is dropped).
const DRAIN_FACTOR: usize = 4;

/// A body that could not be read: too slow (408), or broken off by the client (400).
fn read_error(e: axum::Error) -> ApiError {
    let inner = e.into_inner();
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return ApiError::new(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the body arrived too slowly",
            );
        }
        cause = c.source();
    }
    ApiError::bad_request("body-unreadable", "the body could not be read to its end")
}

/// Serves until Ctrl+C or SIGTERM; in-flight requests finish first.
pub async fn serve(listener: tokio::net::TcpListener, state: Shared) -> std::io::Result<()> {
    let prune = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Some(l) = &prune.limiter {
                l.retain_recent();
            }
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
