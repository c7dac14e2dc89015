//! The evidence file a report named, uploaded after it: checked with the core's verifier,
//! matched against what the report said (the manifest's SHA-256, the device key), and kept for
//! the case worker, except a child-abuse report's, which may hold no picture and is refused
//! (and not kept) when it does.
//!
//! The upload is authorised by a token only the sender was given: an HMAC of the report's id
//! under the intake's key, so nothing secret is stored per report.

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use sentinelle::media::sniff::{sniff, Container};
use sentinelle::report::{bundle_file, verify_bundle, Verification};
use sentinelle::sha256_hex;
use sha2::Sha256;
use sqlx::Row as _;

use crate::audit;
use crate::clock;
use crate::error::ApiError;
use crate::state::State;

/// The largest evidence file taken (64 MiB): a screenshot and a page copy fit.
pub const MAX_EVIDENCE_BYTES: usize = 64 * 1024 * 1024;

fn mac(key: &[u8; 32], report_id: &str) -> Result<Hmac<Sha256>, ApiError> {
    // HMAC takes a key of any length; the error type exists for other MACs.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| ApiError::storage(&e))?;
    mac.update(b"sentinelle-evidence-token\n");
    mac.update(report_id.as_bytes());
    Ok(mac)
}

/// The upload token for a report.
pub fn token_for(key: &[u8; 32], report_id: &str) -> Result<String, ApiError> {
    Ok(B64URL.encode(mac(key, report_id)?.finalize().into_bytes()))
}

fn token_matches(key: &[u8; 32], report_id: &str, token: &str) -> bool {
    match (B64URL.decode(token), mac(key, report_id)) {
        // verify_slice compares in constant time.
        (Ok(bytes), Ok(mac)) => mac.verify_slice(&bytes).is_ok(),
        _ => false,
    }
}

/// The verdict sent back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    pub verdict: &'static str,
    pub problems: Vec<String>,
}

/// Whether any file in the bundle is, or carries, a picture or a page copy, whatever the
/// manifest calls it: a child-abuse report's bundle may hold text only.
fn holds_pictures(bytes: &[u8], v: &Verification) -> bool {
    if v.problems
        .iter()
        .any(|p| p.code == sentinelle::report::ProblemCode::ForbiddenContent)
    {
        return true;
    }
    if v.manifest
        .as_ref()
        .is_some_and(|m| m.artefacts.iter().any(|a| a.kind.carries_pictures()))
    {
        return true;
    }
    v.files.iter().any(|f| {
        if f.kind.is_some_and(|k| k.carries_pictures()) {
            return true;
        }
        match bundle_file(bytes, &f.path) {
            Ok(content) => {
                let head = content.get(..4096).unwrap_or(&content);
                sniff(&content) != Container::Unknown
                    || head
                        .windows(17)
                        .any(|w| w.eq_ignore_ascii_case(b"multipart/related"))
                    || head.windows(5).any(|w| w.eq_ignore_ascii_case(b"<html"))
            }
            // A file that cannot be read cannot be shown to be text: refuse it.
            Err(_) => true,
        }
    })
}

/// Checks and stores an evidence upload for report `id`.
pub async fn receive(
    state: &State,
    id: &str,
    token: Option<&str>,
    bytes: Vec<u8>,
) -> Result<Verdict, ApiError> {
    let row = sqlx::query(
        "SELECT seq, situation, evidence_manifest_sha256, evidence_key_fingerprint FROM reports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(ApiError::not_found)?;
    if !token.is_some_and(|t| token_matches(&state.evidence_key, id, t)) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this upload needs the evidence token the report's answer gave",
        ));
    }
    let seq: i64 = row.try_get("seq")?;
    let situation: Option<String> = row.try_get("situation")?;
    let named_manifest: Option<String> = row.try_get("evidence_manifest_sha256")?;
    let named_key: Option<String> = row.try_get("evidence_key_fingerprint")?;
    let Some(named_manifest) = named_manifest else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "evidence-not-named",
            "the report named no evidence file, so none can be checked against it",
        ));
    };
    let previous: Option<String> =
        sqlx::query("SELECT verdict FROM evidence WHERE report_seq = $1")
            .bind(seq)
            .fetch_optional(&state.db.pool)
            .await?
            .map(|r| r.try_get("verdict"))
            .transpose()?;
    if previous.as_deref() == Some("valid") {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "evidence-exists",
            "a valid evidence file for this report has already been received",
        ));
    }

    let (bytes, checked) = tokio::task::spawn_blocking(move || {
        let checked = verify_bundle(&bytes);
        (bytes, checked)
    })
    .await
    .map_err(|e| ApiError::storage(&e))?;
    let verification = checked.map_err(|e| {
        let status = if e.code() == sentinelle::ErrorCode::TooLarge {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::new(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "too-large"
            } else {
                "bundle-unreadable"
            },
            format!("not a readable evidence file: {}", e.message()),
        )
    })?;

    let child_abuse = situation.as_deref() == Some("child-abuse")
        || verification
            .manifest
            .as_ref()
            .is_some_and(|m| m.situation.as_deref() == Some("child-abuse"));
    let actor = format!("evidence:{id}");
    if child_abuse && holds_pictures(&bytes, &verification) {
        drop(bytes);
        let mut tx = state.db.pool.begin().await?;
        store(
            &mut tx,
            seq,
            "refused",
            &["forbidden-content".to_owned()],
            0,
            None,
        )
        .await?;
        audit::record(
            &mut *tx,
            &actor,
            "evidence-refused",
            Some(id),
            Some("forbidden-content"),
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "forbidden-content",
            "a child-abuse report's evidence file may hold no picture or page copy; it was not kept",
        ));
    }

    let mut problems: Vec<String> = verification
        .problems
        .iter()
        .filter_map(|p| serde_json::to_value(p.code).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let manifest_sha = bundle_file(&bytes, "manifest.json").map(|m| sha256_hex(&m));
    if manifest_sha.as_deref().ok() != Some(named_manifest.as_str()) {
        problems.push("manifest-mismatch".into());
    }
    let key = verification
        .manifest
        .as_ref()
        .map(|m| m.key.fingerprint.to_ascii_lowercase());
    if key.is_none() || key != named_key {
        problems.push("key-mismatch".into());
    }
    problems.sort();
    problems.dedup();
    let verdict = if problems.is_empty() {
        "valid"
    } else {
        "invalid"
    };
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    // A child-abuse bundle that passed holds text only; it is still not kept, by rule.
    let kept = (!child_abuse).then_some(bytes);
    let mut tx = state.db.pool.begin().await?;
    store(&mut tx, seq, verdict, &problems, size, kept).await?;
    audit::record(
        &mut *tx,
        &actor,
        "evidence-received",
        Some(id),
        Some(verdict),
    )
    .await?;
    tx.commit().await?;
    Ok(Verdict { verdict, problems })
}

async fn store(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    seq: i64,
    verdict: &str,
    problems: &[String],
    size: i64,
    bundle: Option<Vec<u8>>,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM evidence WHERE report_seq = $1")
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO evidence (report_seq, received_at, verdict, problems, size, bundle) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(seq)
    .bind(clock::now_ms())
    .bind(verdict)
    .bind(serde_json::to_string(problems).unwrap_or_else(|_| "[]".into()))
    .bind(size)
    .bind(bundle)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
