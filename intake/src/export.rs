//! The export hotlines record (the fields INHOPE's ICCAM asks for): the address, the hosting
//! country, when it was received, the classification, the site type, and the actions taken
//! (sent to the platform, to the police, removed), as CSV or JSON.
//!
//! CSV cells are written by the `csv` crate (quoting) and any cell a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`:
//! a report's text is hostile, and exports are opened in spreadsheets.

use serde::Serialize;
use sqlx::Row as _;

use crate::clock;
use crate::error::ApiError;
use crate::state::State;

/// One exported case.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub id: String,
    pub received_at: String,
    pub url: String,
    pub hosting_country: String,
    pub reporter_country: String,
    pub helpline: String,
    pub classification: String,
    pub minor: bool,
    pub site_type: String,
    pub status: String,
    /// `status@time` for each step after `new`, separated by `; `.
    pub actions_taken: String,
    pub evidence: String,
}

/// Every case, oldest first.
pub async fn lines(state: &State) -> Result<Vec<Line>, ApiError> {
    let rows = sqlx::query(
        "SELECT r.seq, r.id, r.received_at, r.page_url, r.hosting_country, r.country, r.helpline, \
         r.situation, r.minor, r.site_type, r.status, e.verdict FROM reports r \
         LEFT JOIN evidence e ON e.report_seq = r.seq ORDER BY r.received_at, r.seq",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let steps = sqlx::query(
        "SELECT report_seq, at, status FROM status_history WHERE status <> 'new' ORDER BY seq",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut actions: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for s in &steps {
        actions
            .entry(s.try_get("report_seq")?)
            .or_default()
            .push(format!(
                "{}@{}",
                s.try_get::<String, _>("status")?,
                clock::utc(s.try_get("at")?)
            ));
    }
    rows.iter()
        .map(|r| {
            let seq: i64 = r.try_get("seq")?;
            Ok(Line {
                id: r.try_get("id")?,
                received_at: clock::utc(r.try_get("received_at")?),
                url: r.try_get("page_url")?,
                hosting_country: r
                    .try_get::<Option<String>, _>("hosting_country")?
                    .unwrap_or_default(),
                reporter_country: r
                    .try_get::<Option<String>, _>("country")?
                    .unwrap_or_default(),
                helpline: r.try_get("helpline")?,
                classification: r
                    .try_get::<Option<String>, _>("situation")?
                    .unwrap_or_default(),
                minor: r.try_get::<i64, _>("minor")? != 0,
                site_type: r
                    .try_get::<Option<String>, _>("site_type")?
                    .unwrap_or_default(),
                status: r.try_get("status")?,
                actions_taken: actions.remove(&seq).unwrap_or_default().join("; "),
                evidence: r
                    .try_get::<Option<String>, _>("verdict")?
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(ApiError::from)
}

fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The lines as CSV with a header row.
pub fn to_csv(lines: &[Line]) -> Result<Vec<u8>, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::storage(&e);
    out.write_record([
        "id",
        "received_at",
        "url",
        "hosting_country",
        "reporter_country",
        "helpline",
        "classification",
        "minor",
        "site_type",
        "status",
        "actions_taken",
        "evidence",
    ])
    .map_err(fail)?;
    for l in lines {
        out.write_record([
            defused(&l.id),
            l.received_at.clone(),
            defused(&l.url),
            defused(&l.hosting_country),
            defused(&l.reporter_country),
            defused(&l.helpline),
            defused(&l.classification),
            l.minor.to_string(),
            defused(&l.site_type),
            defused(&l.status),
            defused(&l.actions_taken),
            defused(&l.evidence),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::storage(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::defused;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defused("https://x.example/"), "https://x.example/");
    }
}
