//! The PDQ hashes of every report and every imported hash list, in memory for exact search
//! within 31 bits ([`crate::pdq_index`]), kept in step with the database.
//!
//! The database is the truth: at start the index is built from `pdq_hashes`; before each search
//! it reads the rows added since (by this process or another on the same PostgreSQL). Row
//! numbers come from a sequence, and under PostgreSQL a transaction can commit a lower number
//! after a higher one; so each refresh reads back a window of the last [`WINDOW`] numbers and
//! adds those it has not seen. An entry's owner in the index is `seq << 1 | is_list_entry`.

use std::collections::BTreeSet;
use std::sync::RwLock;

use sentinelle::PdqHash;
use sqlx::Row as _;

use crate::db::{Db, OpenError};
use crate::pdq_index::{Match, PdqIndex};

/// How far back each refresh looks for rows that committed out of order.
const WINDOW: i64 = 1000;
/// Rows read per query while building at start.
const BATCH: i64 = 100_000;

struct Seen {
    max_seq: i64,
    recent: BTreeSet<i64>,
}

/// The index and what of the table it holds.
pub struct PdqStore {
    index: RwLock<PdqIndex>,
    seen: tokio::sync::Mutex<Seen>,
}

/// One stored hash's place: a report's image or a hash-list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub seq: i64,
    pub is_list_entry: bool,
}

impl Owner {
    fn tag(self) -> u64 {
        (u64::try_from(self.seq).unwrap_or(0) << 1) | u64::from(self.is_list_entry)
    }

    fn untag(tag: u64) -> Owner {
        Owner {
            seq: i64::try_from(tag >> 1).unwrap_or(i64::MAX),
            is_list_entry: tag & 1 == 1,
        }
    }
}

fn row_entry(row: &sqlx::any::AnyRow) -> Result<(i64, Option<PdqHash>, bool), sqlx::Error> {
    let seq: i64 = row.try_get("seq")?;
    let hex: String = row.try_get("pdq")?;
    let list: Option<i64> = row.try_get("list_seq")?;
    Ok((seq, PdqHash::from_hex(&hex).ok(), list.is_some()))
}

impl PdqStore {
    /// Builds the index from every stored hash.
    pub async fn load(db: &Db) -> Result<PdqStore, OpenError> {
        let mut entries = Vec::new();
        let mut last = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, pdq, list_seq FROM pdq_hashes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(last)
            .bind(BATCH)
            .fetch_all(&db.pool)
            .await?;
            for row in &rows {
                let (seq, hash, is_list_entry) = row_entry(row)?;
                last = last.max(seq);
                if let Some(hash) = hash {
                    entries.push((hash, Owner { seq, is_list_entry }.tag()));
                }
            }
            if i64::try_from(rows.len()).unwrap_or(0) < BATCH {
                break;
            }
        }
        let recent = entries
            .iter()
            .map(|(_, tag)| Owner::untag(*tag).seq)
            .filter(|seq| *seq > last - WINDOW)
            .collect();
        let index = PdqIndex::bulk_build(entries).map_err(|e| OpenError(e.to_string()))?;
        Ok(PdqStore {
            index: RwLock::new(index),
            seen: tokio::sync::Mutex::new(Seen {
                max_seq: last,
                recent,
            }),
        })
    }

    /// Adds the rows stored since the last look.
    pub async fn refresh(&self, db: &Db) -> Result<(), sqlx::Error> {
        let mut seen = self.seen.lock().await;
        let rows =
            sqlx::query("SELECT seq, pdq, list_seq FROM pdq_hashes WHERE seq > $1 ORDER BY seq")
                .bind(seen.max_seq - WINDOW)
                .fetch_all(&db.pool)
                .await?;
        let mut fresh = Vec::new();
        for row in &rows {
            let (seq, hash, is_list_entry) = row_entry(row)?;
            if !seen.recent.insert(seq) {
                continue;
            }
            seen.max_seq = seen.max_seq.max(seq);
            if let Some(hash) = hash {
                fresh.push((hash, Owner { seq, is_list_entry }.tag()));
            }
        }
        if !fresh.is_empty() {
            if let Ok(mut index) = self.index.write() {
                for (hash, tag) in fresh {
                    if let Err(e) = index.insert(hash, tag) {
                        eprintln!("PDQ index full: {e}");
                    }
                }
            }
        }
        let floor = seen.max_seq - WINDOW;
        seen.recent = seen.recent.split_off(&floor);
        Ok(())
    }

    /// Every stored hash within `radius` bits of `query`, nearest first.
    pub fn search(&self, query: &PdqHash, radius: u32) -> Vec<(Owner, u32)> {
        self.index
            .read()
            .map(|index| {
                index
                    .search(query, radius)
                    .into_iter()
                    .map(
                        |Match {
                             owner, distance, ..
                         }| (Owner::untag(owner), distance),
                    )
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many hashes the index holds.
    pub fn len(&self) -> usize {
        self.index.read().map(|i| i.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
