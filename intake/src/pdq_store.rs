//! The PDQ hashes of every report and every imported hash list, in memory for exact search
//! within 31 bits ([`crate::pdq_index`]), kept in step with the database.
//!
//! The database is the truth: at start the index is built from `pdq_hashes`; before each search
//! it reads the rows added since (by this process or another on the same PostgreSQL). Row
//! numbers come from a sequence, and under PostgreSQL a transaction can commit a lower number
//! after a higher one: a number skipped over is remembered as a gap and read again on the next
//! refreshes until it appears or [`GAP_PATIENCE`] has passed (a rolled-back insert leaves a gap
//! that never fills). So a refresh reads only new rows and the few that might still come. An
//! entry's owner in the index is `seq << 1 | is_list_entry`.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sentinelle::PdqHash;
use sqlx::Row as _;

use crate::db::{Db, OpenError};
use crate::pdq_index::{Match, PdqIndex};

/// How long a skipped row number is waited for: far longer than any insert transaction.
const GAP_PATIENCE: Duration = Duration::from_secs(60);
/// Most gaps remembered (a burst of rolled-back inserts cannot make every refresh slow).
const MAX_GAPS: usize = 10_000;
/// Rows read per query while building at start.
const BATCH: i64 = 100_000;

struct Seen {
    max_seq: i64,
    /// Row numbers below `max_seq` not seen yet, and since when.
    gaps: BTreeMap<i64, Instant>,
}

impl Seen {
    /// Notes row `seq` as read; true if it is new to the index.
    fn take(&mut self, seq: i64) -> bool {
        if seq > self.max_seq {
            let now = Instant::now();
            // Every number skipped between the last seen and this one may still commit.
            let skipped = (self.max_seq + 1).max(seq - MAX_GAPS as i64)..seq;
            for gap in skipped {
                self.gaps.insert(gap, now);
            }
            self.max_seq = seq;
            true
        } else {
            self.gaps.remove(&seq).is_some()
        }
    }

    fn forget_old_gaps(&mut self) {
        self.gaps.retain(|_, since| since.elapsed() < GAP_PATIENCE);
        while self.gaps.len() > MAX_GAPS {
            self.gaps.pop_first();
        }
    }

    /// Rows from this number on may be new.
    fn read_from(&self) -> i64 {
        self.gaps.keys().next().copied().unwrap_or(self.max_seq + 1)
    }
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
        let index = PdqIndex::bulk_build(entries).map_err(|e| OpenError(e.to_string()))?;
        Ok(PdqStore {
            index: RwLock::new(index),
            // Rows below `last` that are not there yet are not waited for: at start, any
            // transaction that would write them has long finished or been rolled back.
            seen: tokio::sync::Mutex::new(Seen {
                max_seq: last,
                gaps: BTreeMap::new(),
            }),
        })
    }

    /// Adds the rows stored since the last look.
    pub async fn refresh(&self, db: &Db) -> Result<(), sqlx::Error> {
        let mut seen = self.seen.lock().await;
        seen.forget_old_gaps();
        let rows =
            sqlx::query("SELECT seq, pdq, list_seq FROM pdq_hashes WHERE seq >= $1 ORDER BY seq")
                .bind(seen.read_from())
                .fetch_all(&db.pool)
                .await?;
        let mut fresh = Vec::new();
        for row in &rows {
            let (seq, hash, is_list_entry) = row_entry(row)?;
            if !seen.take(seq) {
                continue;
            }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn skipped_numbers_are_read_again_until_they_come() {
        let mut seen = Seen {
            max_seq: 10,
            gaps: BTreeMap::new(),
        };
        assert_eq!(seen.read_from(), 11);
        assert!(seen.take(11));
        assert!(seen.take(14), "12 and 13 were skipped");
        assert_eq!(seen.read_from(), 12);
        assert!(!seen.take(14), "already in");
        assert!(seen.take(13), "a late commit is taken once");
        assert!(!seen.take(13));
        assert_eq!(seen.read_from(), 12);
        assert!(seen.take(12));
        assert_eq!(seen.read_from(), 15);
        assert!(!seen.take(5), "below the start and never a gap");
    }

    #[test]
    fn old_gaps_are_given_up() {
        let mut seen = Seen {
            max_seq: 0,
            gaps: BTreeMap::new(),
        };
        assert!(seen.take(3));
        *seen.gaps.get_mut(&1).unwrap() = Instant::now().checked_sub(GAP_PATIENCE * 2).unwrap();
        seen.forget_old_gaps();
        assert_eq!(seen.read_from(), 2);
        assert!(seen.take(MAX_GAPS as i64 * 3));
        assert!(seen.gaps.len() <= MAX_GAPS + 1);
    }
}
