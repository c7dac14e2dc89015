//! Importing a hash list: one PDQ hash per line, optionally `,quality,label` (the CSV shape
//! ThreatExchange and StopNCII-style exports use). A list is imported whole or not at all: a
//! bad line stops the import and names its number.

use sentinelle::PdqHash;

#[cfg(feature = "server")]
use crate::db::Db;

/// Most entries one list may hold (10 million: the size the PDQ index is built for).
pub const MAX_ENTRIES: usize = 10_000_000;
/// Rows written per statement.
#[cfg(feature = "server")]
const CHUNK: usize = 500;

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub hash: PdqHash,
    pub quality: Option<u8>,
    pub label: Option<String>,
}

/// Parses the CSV text; `Err` names the first bad line (1-based).
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.splitn(3, ',');
        let hex = fields.next().unwrap_or_default().trim();
        if n == 0 && !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue; // a header row
        }
        let hash = PdqHash::from_hex(hex)
            .map_err(|_| format!("line {}: a PDQ hash is 64 hexadecimal digits", n + 1))?;
        let quality = match fields.next().map(str::trim) {
            None | Some("") => None,
            Some(q) => Some(
                q.parse::<u8>()
                    .ok()
                    .filter(|q| *q <= 100)
                    .ok_or_else(|| format!("line {}: quality is 0 to 100", n + 1))?,
            ),
        };
        let label = fields
            .next()
            .map(|l| l.trim().trim_matches('"').to_owned())
            .filter(|l| !l.is_empty());
        if label
            .as_ref()
            .is_some_and(|l| l.len() > 200 || l.chars().any(char::is_control))
        {
            return Err(format!("line {}: a label is at most 200 characters", n + 1));
        }
        entries.push(Entry {
            hash,
            quality,
            label,
        });
        if entries.len() > MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} entries"));
        }
    }
    Ok(entries)
}

#[cfg(feature = "server")]
/// Stores a list under `name` (a name already used is refused), in one transaction.
pub async fn import(db: &Db, name: &str, entries: &[Entry]) -> Result<usize, String> {
    if !crate::names::is_plain_name(name) {
        return Err("a list name is 1 to 100 characters".into());
    }
    let fail = |e: sqlx::Error| e.to_string();
    let mut tx = db.pool.begin().await.map_err(fail)?;
    let row = sqlx::query(
        "INSERT INTO hashlists (name, imported_at, entries) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING RETURNING seq",
    )
    .bind(name)
    .bind(crate::clock::now_ms())
    .bind(i64::try_from(entries.len()).unwrap_or(i64::MAX))
    .fetch_optional(&mut *tx)
    .await
    .map_err(fail)?
    .ok_or_else(|| format!("there is already a list called {name:?}"))?;
    let list: i64 = sqlx::Row::try_get(&row, "seq").map_err(fail)?;
    for chunk in entries.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO pdq_hashes (pdq, list_seq, quality, label) VALUES {}",
            crate::db::placeholders(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query
                .bind(e.hash.to_hex())
                .bind(list)
                .bind(e.quality.map(i64::from))
                .bind(e.label.clone());
        }
        query.execute(&mut *tx).await.map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn lines_with_and_without_quality_and_label() {
        let a = "f".repeat(64);
        let b = "0".repeat(63) + "1";
        let text = format!("hash,quality,label\n{a}\n\n# note\n{b},90,\"known set\"\n");
        let entries = parse(&text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].quality, None);
        assert_eq!(entries[1].quality, Some(90));
        assert_eq!(entries[1].label.as_deref(), Some("known set"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let a = "f".repeat(64);
        assert_eq!(
            parse(&format!("{a}\nxyz\n")).unwrap_err(),
            "line 2: a PDQ hash is 64 hexadecimal digits"
        );
        assert!(parse(&format!("{a},101\n"))
            .unwrap_err()
            .contains("quality"));
    }
}
