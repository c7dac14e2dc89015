//! What case workers read and change: the queue, one case with its duplicates, evidence and
//! history, status changes with a note.

use std::collections::BTreeMap;

use sentinelle::{PdqHash, PDQ_MATCH_THRESHOLD};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row as _;

use crate::audit;
use crate::clock;
use crate::error::ApiError;
use crate::state::State;

/// The statuses a case moves through, as the API and exports write them.
pub const STATUSES: &[&str] = &[
    "new",
    "in-review",
    "sent-to-platform",
    "sent-to-police",
    "removed",
    "closed",
];

/// One line of the queue.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: String,
    pub received_at: String,
    pub helpline: String,
    pub situation: Option<String>,
    pub minor: bool,
    pub priority: i64,
    pub country: Option<String>,
    pub page_url: String,
    pub page_title: Option<String>,
    pub status: String,
    pub hosting_country: Option<String>,
    pub site_type: Option<String>,
    pub evidence: Option<String>,
}

const SUMMARY_COLUMNS: &str = "r.seq, r.id, r.received_at, r.helpline, r.situation, r.minor, \
    r.priority, r.country, r.page_url, r.page_title, r.status, r.hosting_country, r.site_type, \
    e.verdict AS evidence";

fn summary(row: &AnyRow) -> Result<Summary, sqlx::Error> {
    Ok(Summary {
        id: row.try_get("id")?,
        received_at: clock::utc(row.try_get("received_at")?),
        helpline: row.try_get("helpline")?,
        situation: row.try_get("situation")?,
        minor: row.try_get::<i64, _>("minor")? != 0,
        priority: row.try_get("priority")?,
        country: row.try_get("country")?,
        page_url: row.try_get("page_url")?,
        page_title: row.try_get("page_title")?,
        status: row.try_get("status")?,
        hosting_country: row.try_get("hosting_country")?,
        site_type: row.try_get("site_type")?,
        evidence: row.try_get("evidence")?,
    })
}

/// Filters of the queue.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    pub status: Option<String>,
    pub situation: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The queue: most urgent first (child abuse, then minors and hash-list hits, then sextortion),
/// oldest first within each.
pub async fn list(state: &State, filter: &Filter) -> Result<Vec<Summary>, ApiError> {
    if let Some(s) = &filter.status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(ApiError::bad_request(
                "invalid-query",
                format!("status is one of {}", STATUSES.join(", ")),
            ));
        }
    }
    if let Some(s) = &filter.situation {
        if !crate::report::SITUATIONS.contains(&s.as_str()) {
            return Err(ApiError::bad_request(
                "invalid-query",
                format!(
                    "situation is one of {}",
                    crate::report::SITUATIONS.join(", ")
                ),
            ));
        }
    }
    let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
    let offset = filter.offset.unwrap_or(0).max(0);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM reports r LEFT JOIN evidence e ON e.report_seq = r.seq \
         WHERE ($1 IS NULL OR r.status = $1) AND ($2 IS NULL OR r.situation = $2) \
         ORDER BY r.priority, r.received_at, r.seq LIMIT $3 OFFSET $4"
    );
    let rows = sqlx::query(&sql)
        .bind(filter.status.as_deref())
        .bind(filter.situation.as_deref())
        .bind(limit)
        .bind(offset)
        .fetch_all(&state.db.pool)
        .await?;
    rows.iter()
        .map(summary)
        .collect::<Result<_, _>>()
        .map_err(ApiError::from)
}

/// Another report (or hash-list entry) that looks like this one, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duplicate {
    /// The other report's id, or the hash list's name.
    pub id: String,
    /// `url`, `sha256`, `md5`, `pdq` or `hashlist`.
    pub reason: String,
    /// Bits between PDQ hashes (0 for exact reasons).
    pub distance: u32,
    /// A hash-list entry's label, if it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

async fn seq_of(state: &State, id: &str) -> Result<(i64, AnyRow), ApiError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, r.body, r.receipt FROM reports r \
         LEFT JOIN evidence e ON e.report_seq = r.seq WHERE r.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((row.try_get("seq")?, row))
}

/// Every duplicate of report `seq`: the same address or file hash, a PDQ hash within 31 bits of
/// another report's, or a hash on an imported list.
pub async fn duplicates(state: &State, seq: i64) -> Result<Vec<Duplicate>, ApiError> {
    let mut found: BTreeMap<(String, String), Duplicate> = BTreeMap::new();
    let exact = sqlx::query(
        "SELECT DISTINCT r.id, k2.kind FROM report_keys k1 \
         JOIN report_keys k2 ON k2.kind = k1.kind AND k2.value = k1.value AND k2.report_seq <> k1.report_seq \
         JOIN reports r ON r.seq = k2.report_seq WHERE k1.report_seq = $1",
    )
    .bind(seq)
    .fetch_all(&state.db.pool)
    .await?;
    for row in &exact {
        let id: String = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        found.insert(
            (id.clone(), kind.clone()),
            Duplicate {
                id,
                reason: kind,
                distance: 0,
                label: None,
            },
        );
    }
    let hashes = sqlx::query("SELECT pdq FROM pdq_hashes WHERE report_seq = $1")
        .bind(seq)
        .fetch_all(&state.db.pool)
        .await?;
    if !hashes.is_empty() {
        state.pdq.refresh(&state.db).await?;
    }
    for row in &hashes {
        let Ok(hash) = PdqHash::from_hex(&row.try_get::<String, _>("pdq")?) else {
            continue;
        };
        for (owner, distance) in state.pdq.search(&hash, PDQ_MATCH_THRESHOLD) {
            let other = sqlx::query(
                "SELECT p.report_seq, p.label, r.id AS report_id, l.name AS list_name \
                 FROM pdq_hashes p LEFT JOIN reports r ON r.seq = p.report_seq \
                 LEFT JOIN hashlists l ON l.seq = p.list_seq WHERE p.seq = $1",
            )
            .bind(owner.seq)
            .fetch_optional(&state.db.pool)
            .await?;
            let Some(other) = other else { continue };
            let (id, reason, label) = if owner.is_list_entry {
                let name: Option<String> = other.try_get("list_name")?;
                (
                    name.unwrap_or_default(),
                    "hashlist",
                    other.try_get("label")?,
                )
            } else {
                if other.try_get::<Option<i64>, _>("report_seq")? == Some(seq) {
                    continue;
                }
                let id: Option<String> = other.try_get("report_id")?;
                (id.unwrap_or_default(), "pdq", None)
            };
            let key = (id.clone(), reason.to_owned());
            let entry = found.entry(key).or_insert(Duplicate {
                id,
                reason: reason.to_owned(),
                distance,
                label: label.clone(),
            });
            if distance < entry.distance {
                entry.distance = distance;
                entry.label = label;
            }
        }
    }
    let mut all: Vec<Duplicate> = found.into_values().collect();
    all.sort_by(|a, b| (a.distance, &a.reason, &a.id).cmp(&(b.distance, &b.reason, &b.id)));
    Ok(all)
}

/// One step of a case's history.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub at: String,
    pub status: String,
    pub note: Option<String>,
    pub actor: String,
}

async fn history(state: &State, seq: i64) -> Result<Vec<Step>, ApiError> {
    let rows = sqlx::query(
        "SELECT at, status, note, actor FROM status_history WHERE report_seq = $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Step {
                at: clock::utc(r.try_get("at")?),
                status: r.try_get("status")?,
                note: r.try_get("note")?,
                actor: r.try_get("actor")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(ApiError::from)
}

/// The evidence file's verdict, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceInfo {
    pub received_at: String,
    pub verdict: String,
    pub problems: Value,
    pub size: i64,
    /// Whether the file itself is kept (never for a child-abuse report).
    #[serde(skip)]
    pub kept: bool,
}

/// Everything about one case.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub seq: i64,
    pub summary: Summary,
    pub report: Value,
    pub receipt: Value,
    pub evidence: Option<EvidenceInfo>,
    pub duplicates: Vec<Duplicate>,
    pub history: Vec<Step>,
}

/// A case's row number and summary only: for a request that needs no duplicates or history.
pub async fn brief(state: &State, id: &str) -> Result<(i64, Summary), ApiError> {
    let (seq, row) = seq_of(state, id).await?;
    Ok((seq, summary(&row)?))
}

/// Reads a whole case.
pub async fn view(state: &State, id: &str) -> Result<CaseView, ApiError> {
    let (seq, row) = seq_of(state, id).await?;
    let summary = summary(&row)?;
    let body: String = row.try_get("body")?;
    let receipt: String = row.try_get("receipt")?;
    let evidence = sqlx::query(
        "SELECT received_at, verdict, problems, size, bundle IS NOT NULL AS kept FROM evidence WHERE report_seq = $1",
    )
    .bind(seq)
    .fetch_optional(&state.db.pool)
    .await?
    .map(|e| -> Result<EvidenceInfo, sqlx::Error> {
        let problems: String = e.try_get("problems")?;
        Ok(EvidenceInfo {
            received_at: clock::utc(e.try_get("received_at")?),
            verdict: e.try_get("verdict")?,
            problems: serde_json::from_str::<Value>(&problems).unwrap_or(Value::Null),
            size: e.try_get("size")?,
            kept: kept_flag(&e)?,
        })
    })
    .transpose()?;
    Ok(CaseView {
        seq,
        summary,
        report: serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        receipt: serde_json::from_str::<Value>(&receipt).unwrap_or(Value::Null),
        evidence,
        duplicates: duplicates(state, seq).await?,
        history: history(state, seq).await?,
    })
}

/// `bundle IS NOT NULL` comes back as a boolean from PostgreSQL and an integer from SQLite.
fn kept_flag(row: &AnyRow) -> Result<bool, sqlx::Error> {
    row.try_get::<bool, _>("kept")
        .or_else(|_| row.try_get::<i64, _>("kept").map(|k| k != 0))
}

/// A whole case, as the API answers it.
pub async fn get(state: &State, id: &str, actor: &str) -> Result<Value, ApiError> {
    let v = view(state, id).await?;
    audit::record(&state.db.pool, actor, "case-viewed", Some(id), None).await?;
    Ok(serde_json::json!({
        "case": v.summary,
        "report": v.report,
        "receipt": v.receipt,
        "evidence": v.evidence,
        "duplicates": v.duplicates,
        "history": v.history,
    }))
}

/// The stored evidence file of a case (none for child abuse, none when not kept).
pub async fn evidence_bundle(state: &State, seq: i64) -> Result<Option<Vec<u8>>, ApiError> {
    let row =
        sqlx::query("SELECT bundle FROM evidence WHERE report_seq = $1 AND verdict = 'valid'")
            .bind(seq)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row
        .map(|r| r.try_get::<Option<Vec<u8>>, _>("bundle"))
        .transpose()?
        .flatten())
}

/// A status change, as posted.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub status: String,
    pub note: Option<String>,
    /// Where the content is hosted (two capital letters), when the case worker has found out.
    pub hosting_country: Option<String>,
    /// What kind of site it is (`social-network`, `image-host`, `forum`, …), free text.
    pub site_type: Option<String>,
}

/// Moves a case to another status, with a note; every change is kept in its history.
pub async fn change_status(
    state: &State,
    id: &str,
    change: &Change,
    actor: &str,
) -> Result<Summary, ApiError> {
    if !STATUSES.contains(&change.status.as_str()) {
        return Err(ApiError::bad_request(
            "invalid-status",
            format!("status is one of {}", STATUSES.join(", ")),
        ));
    }
    if change.note.as_ref().is_some_and(|n| n.len() > 10_000) {
        return Err(ApiError::bad_request(
            "invalid-status",
            "a note is at most 10,000 bytes",
        ));
    }
    if let Some(c) = &change.hosting_country {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ApiError::bad_request(
                "invalid-status",
                "hosting_country is two capital letters (ISO 3166-1)",
            ));
        }
    }
    if change.site_type.as_ref().is_some_and(|s| s.len() > 100) {
        return Err(ApiError::bad_request(
            "invalid-status",
            "site_type is at most 100 bytes",
        ));
    }
    let mut tx = state.db.pool.begin().await?;
    let seq: i64 = sqlx::query(
        "UPDATE reports SET status = $1, hosting_country = COALESCE($2, hosting_country), \
         site_type = COALESCE($3, site_type) WHERE id = $4 RETURNING seq",
    )
    .bind(&change.status)
    .bind(change.hosting_country.as_deref())
    .bind(change.site_type.as_deref())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(ApiError::not_found)?
    .try_get("seq")?;
    sqlx::query(
        "INSERT INTO status_history (report_seq, at, status, note, actor) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(clock::now_ms())
    .bind(&change.status)
    .bind(change.note.as_deref())
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor,
        "status-changed",
        Some(id),
        Some(&change.status),
    )
    .await?;
    tx.commit().await?;
    let (_, row) = seq_of(state, id).await?;
    summary(&row).map_err(ApiError::from)
}
