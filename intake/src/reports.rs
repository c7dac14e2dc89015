//! Taking a report in: stored once (the same bytes sent twice are the same report, so a client
//! that retries after a lost answer never makes two cases), with the keys deduplication needs,
//! its first status, a receipt and an audit line, all in one transaction.

use axum::http::StatusCode;
use sentinelle::report::sign_receipt;
use sentinelle::{sha256_hex, PDQ_MATCH_THRESHOLD};
use sqlx::Row as _;

use crate::audit;
use crate::auth::random_hex;
use crate::clock;
use crate::error::ApiError;
use crate::report::{priority, Keys, Report};
use crate::state::State;

/// A stored report, as the sender is told.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub received_at_ms: i64,
    /// The receipt, as JSON text (`sentinelle-receipt-1`).
    pub receipt: String,
    /// False when these exact bytes had been received before.
    pub created: bool,
}

async fn existing(state: &State, body_sha256: &str) -> Result<Option<Received>, ApiError> {
    let row = sqlx::query("SELECT id, received_at, receipt FROM reports WHERE body_sha256 = $1")
        .bind(body_sha256)
        .fetch_optional(&state.db.pool)
        .await?;
    row.map(|row| {
        Ok(Received {
            id: row.try_get("id")?,
            received_at_ms: row.try_get("received_at")?,
            receipt: row.try_get("receipt")?,
            created: false,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| ApiError::from(e))
}

/// Whether any of the report's pictures is on an imported hash list.
async fn on_hash_list(state: &State, keys: &Keys) -> Result<bool, ApiError> {
    if keys.pdq.is_empty() {
        return Ok(false);
    }
    state.pdq.refresh(&state.db).await?;
    Ok(keys.pdq.iter().any(|(hash, _)| {
        state
            .pdq
            .search(hash, PDQ_MATCH_THRESHOLD)
            .iter()
            .any(|(owner, _)| owner.is_list_entry)
    }))
}

/// Stores `report` (parsed from `body`).
pub async fn receive(
    state: &State,
    body: &[u8],
    report: &Report,
    keys: &Keys,
) -> Result<Received, ApiError> {
    // No look for the same bytes first: the insert below finds them (its ON CONFLICT), which
    // saves a round trip on every new report, the common case.
    let body_sha256 = sha256_hex(body);
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("invalid-report", "the body is not UTF-8"))?;
    let listed = on_hash_list(state, keys).await?;
    let id = random_hex(10).map_err(|e| ApiError::storage(&e))?;
    let now = clock::now_ms();
    let receipt = sign_receipt(
        &state.receipt_seed,
        &id,
        body,
        u64::try_from(now / 1000).unwrap_or(0),
    )
    .map_err(|e| ApiError::storage(&e))?;
    let receipt = serde_json::to_string(&receipt).map_err(|e| ApiError::storage(&e))?;
    let evidence = report.evidence.as_ref();

    let mut tx = state.db.pool.begin().await?;
    let seq: Option<i64> = sqlx::query(
        "INSERT INTO reports (id, body_sha256, body, received_at, helpline, situation, minor, \
         priority, country, page_url, page_url_norm, page_title, evidence_manifest_sha256, \
         evidence_key_fingerprint, status, receipt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'new', $15) \
         ON CONFLICT (body_sha256) DO NOTHING RETURNING seq",
    )
    .bind(&id)
    .bind(&body_sha256)
    .bind(text)
    .bind(now)
    .bind(&report.helpline)
    .bind(report.situation.as_deref())
    .bind(i64::from(report.minor))
    .bind(priority(report, listed))
    .bind(report.country.as_deref())
    .bind(&report.page.url)
    .bind(&keys.page_url)
    .bind(report.page.title.as_deref())
    .bind(evidence.map(|e| e.manifest_sha256.to_ascii_lowercase()))
    .bind(evidence.map(|e| e.key_fingerprint.to_ascii_lowercase()))
    .bind(&receipt)
    .fetch_optional(&mut *tx)
    .await?
    .map(|row| row.try_get("seq"))
    .transpose()?;
    let Some(seq) = seq else {
        // Another request with the same bytes won the race; answer with its report.
        tx.rollback().await?;
        return existing(state, &body_sha256)
            .await?
            .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "retry", "try again"));
    };
    // One statement per table, however many keys (one round trip each).
    if !keys.exact.is_empty() {
        let sql = format!(
            "INSERT INTO report_keys (report_seq, kind, value) VALUES {}",
            crate::db::placeholders(keys.exact.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for (kind, value) in &keys.exact {
            query = query.bind(seq).bind(*kind).bind(value);
        }
        query.execute(&mut *tx).await?;
    }
    if !keys.pdq.is_empty() {
        let sql = format!(
            "INSERT INTO pdq_hashes (pdq, report_seq, quality) VALUES {}",
            crate::db::placeholders(keys.pdq.len(), 3)
        );
        let mut query = sqlx::query(&sql);
        for (hash, quality) in &keys.pdq {
            query = query
                .bind(hash.to_hex())
                .bind(seq)
                .bind(quality.map(i64::from));
        }
        query.execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO status_history (report_seq, at, status, note, actor) VALUES ($1, $2, 'new', NULL, 'intake')",
    )
    .bind(seq)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut *tx, "intake", "report-received", Some(&id), None).await?;
    // The index takes this report's hashes at its next refresh, which every search does first.
    tx.commit().await?;
    Ok(Received {
        id,
        received_at_ms: now,
        receipt,
        created: true,
    })
}
