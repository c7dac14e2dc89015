//! An exact in-memory index of PDQ hashes: finds every stored hash within a Hamming distance of
//! a query (the intake's duplicate finder, at [`sentinelle::PDQ_MATCH_THRESHOLD`] = 31 bits).
//!
//! Multi-index hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with
//! Multi-Index Hashing", CVPR 2012). The 256 bits are cut into their sixteen 16-bit words. If two
//! hashes differ in at most `r` bits, at least one of the sixteen words differs in at most
//! `⌊r/16⌋` bits (were all sixteen off by `⌊r/16⌋ + 1` or more, the total would exceed `r`).
//! So each word position has a table from the word's value to the entries having it, and a query
//! looks, position by position, in the buckets of every value within `⌊r/16⌋` bits of its own
//! word (for r = 31: its own value and the 16 one bit away, 17 × 16 = 272 buckets), then
//! measures the full distance of each entry found there. Nothing within `r` can be missed, so the
//! index is exact, not approximate.
//!
//! Among random hashes a bucket holds `n / 65536` entries, so a query at r = 31 measures about
//! `272 · n / 65536` candidates (41 000 for 10 million hashes) instead of all `n`.
//!
//! Layout, for memory: the hashes are one contiguous `Vec<[u64; 4]>` (32 bytes an entry, four
//! `count_ones` a distance) and the owners a `Vec<u64>`; each table is compressed (CSR): one
//! array of entry numbers grouped by value plus the 65 537 offsets where each value's group
//! starts. That is 32 + 8 + 16 · 4 = 104 bytes an entry, with no per-bucket allocation and no
//! growth slack after [`PdqIndex::bulk_build`].
//!
//! Entries inserted after the last build are not in the tables: they are kept at the end of the
//! hash array and scanned linearly by every query, and folded into the tables
//! ([`PdqIndex::compact`]) once there are more than `max(16 384, n / 64)` of them, so a query
//! scans at most about 2 % of the index (10 million: 156 000 hashes, a fraction of a
//! millisecond) and the rebuild's cost is spread over that many inserts. It is paid in one go,
//! though: the insert that triggers it takes a pass over all the postings (about 0.4 s for 10
//! million entries on one core), so a caller holding a lock holds it that long.

use std::fmt;

use sentinelle::{Error, ErrorCode, PdqHash};

/// Number of 16-bit words in a hash, hence of tables.
const WORDS: usize = 16;

/// Bits per word.
const WORD_BITS: u32 = 16;

/// Distinct values of a word: the number of buckets in each table.
const VALUES: usize = 1 << WORD_BITS;

/// Entries are numbered with `u32`s (4 bytes a posting, not 8); the last number is kept unused
/// so that every bucket offset, which is at most the number of entries, also fits a `u32`.
const MAX_ENTRIES: usize = u32::MAX as usize;

/// The fewest unindexed entries that trigger a rebuild of the tables: below this, a query's
/// linear scan of them costs less than a few dozen microseconds.
const MIN_RECENT: usize = 1 << 14;

/// Above `indexed / RECENT_SHARE` unindexed entries the tables are rebuilt (see the module doc).
const RECENT_SHARE: usize = 64;

/// Per-word probe radii from this one up use a linear scan instead: at 4 bits a position has
/// 2 517 buckets to look in, so the tables would hand out 16 · 2 517 / 65 536 ≈ 0.6 · n
/// candidates, read in random order, which costs more than reading all n in order.
const SCAN_FROM_WORD_RADIUS: u32 = 4;

/// One stored hash found by [`PdqIndex::search`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Match {
    /// The tag given to [`PdqIndex::insert`] or [`PdqIndex::bulk_build`] with the hash.
    pub owner: u64,
    /// Hamming distance to the query, 0 to 256.
    pub distance: u32,
    /// The entry's number, as [`PdqIndex::insert`] returned it (entries are numbered from 0 in
    /// the order they were added). Tells apart the same hash stored twice under one owner.
    pub entry: u32,
}

/// An exact index of PDQ hashes for radius searches; see the module documentation.
///
/// Plain vectors only, so it is `Send + Sync`: share it behind a lock, searches take `&self`.
#[derive(Clone, Default)]
pub struct PdqIndex {
    /// Entry `i`'s hash, its sixteen words packed four to a `u64` (word `4k + j` in bits
    /// `16j..16j + 16` of `u64` `k`).
    hashes: Vec<[u64; 4]>,
    /// Entry `i`'s owner.
    owners: Vec<u64>,
    /// One table per word position; entries `0..indexed` are in all of them.
    tables: [Table; WORDS],
    /// How many entries (a prefix) the tables hold; the rest are scanned linearly.
    indexed: usize,
}

/// One word position's buckets, compressed: the entries whose word has value `v` are
/// `postings[starts[v]..starts[v + 1]]`, in increasing entry order.
#[derive(Clone, Default)]
struct Table {
    /// `VALUES + 1` offsets into `postings`, or none at all while nothing is indexed (an empty
    /// index costs no memory).
    starts: Vec<u32>,
    /// Entry numbers grouped by the word's value.
    postings: Vec<u32>,
}

impl Table {
    /// The entries whose word has value `value`.
    #[inline]
    fn bucket(&self, value: u16) -> &[u32] {
        let v = usize::from(value);
        match (self.starts.get(v), self.starts.get(v + 1)) {
            (Some(&start), Some(&end)) => self
                .postings
                .get(start as usize..end as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Heap bytes held.
    fn memory_bytes(&self) -> usize {
        (self.starts.capacity() + self.postings.capacity()) * std::mem::size_of::<u32>()
    }
}

/// How a search finds its candidates; [`Strategy::Auto`] is what [`PdqIndex::search`] uses, the
/// others let the tests check each path against the brute-force scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code, reason = "the tests force each path"))]
enum Strategy {
    /// Probe the tables for small radii, scan for large ones.
    Auto,
    /// Always probe the tables (whatever the radius).
    Probe,
    /// Always measure every entry.
    Scan,
}

impl PdqIndex {
    /// An empty index; it holds no memory until the first insert.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty index with room for `entries` hashes and owners without reallocating (the
    /// tables are sized when they are built).
    pub fn with_capacity(entries: usize) -> Self {
        let mut index = Self::new();
        let entries = entries.min(MAX_ENTRIES);
        index.hashes.reserve_exact(entries);
        index.owners.reserve_exact(entries);
        index
    }

    /// Builds an index from many hashes at once, numbering them from 0 in order: the tables are
    /// sized by counting first, so they have no slack (see [`PdqIndex::memory_bytes`]).
    ///
    /// Memory: the hashes and owners (40 bytes an entry) plus one table being built beyond the
    /// finished ones; a streaming source (a database cursor) need not be collected first.
    /// Errors: `too-large` beyond 4 294 967 295 entries.
    pub fn bulk_build(entries: impl IntoIterator<Item = (PdqHash, u64)>) -> Result<Self, Error> {
        let entries = entries.into_iter();
        let mut index = Self::with_capacity(entries.size_hint().0);
        for (hash, owner) in entries {
            index.push(hash, owner)?;
        }
        index.hashes.shrink_to_fit();
        index.owners.shrink_to_fit();
        index.compact();
        Ok(index)
    }

    /// Adds one hash under `owner` and returns its entry number (the number of entries before
    /// it). It is found by every later search at once; the tables take it in at the next
    /// rebuild, which happens within this call when enough entries wait (see the module doc).
    ///
    /// Errors: `too-large` when the index already holds 4 294 967 295 entries.
    pub fn insert(&mut self, hash: PdqHash, owner: u64) -> Result<u32, Error> {
        // Grow by a sixteenth rather than double: a 10-million index must not reserve another
        // 400 MB for one new report. Still amortised O(1) (and large reallocations move pages,
        // not bytes).
        if self.hashes.len() == self.hashes.capacity() {
            let more = self.hashes.len() / 16 + 1024;
            self.hashes.reserve_exact(more);
            self.owners.reserve_exact(more);
        }
        let entry = self.push(hash, owner)?;
        let recent = self.hashes.len() - self.indexed;
        if recent > MIN_RECENT.max(self.indexed / RECENT_SHARE) {
            self.compact();
        }
        Ok(entry)
    }

    /// Appends an entry without indexing it.
    fn push(&mut self, hash: PdqHash, owner: u64) -> Result<u32, Error> {
        let entry = entry_number(self.hashes.len())?;
        self.hashes.push(pack(&hash));
        self.owners.push(owner);
        Ok(entry)
    }

    /// Folds every entry added since the last build into the tables, one table at a time (the
    /// extra memory while it runs is one table's postings, 4 bytes an entry). Costs a pass over
    /// all the entries; [`PdqIndex::insert`] calls it when needed, calling it by hand only
    /// moves that cost to a quieter moment.
    pub fn compact(&mut self) {
        let total = self.hashes.len();
        if total == self.indexed {
            return;
        }
        let recent_hashes = self.hashes.get(self.indexed..).unwrap_or(&[]);
        let first_recent = self.indexed;
        for (position, table) in self.tables.iter_mut().enumerate() {
            *table = rebuild(table, position, recent_hashes, first_recent, total);
        }
        self.indexed = total;
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Heap bytes held (allocated capacity, not just what is used): hashes, owners, tables.
    /// After [`PdqIndex::bulk_build`] of `n` entries it is exactly `104 · n + 16 · 65 537 · 4`.
    pub fn memory_bytes(&self) -> usize {
        self.hashes.capacity() * std::mem::size_of::<[u64; 4]>()
            + self.owners.capacity() * std::mem::size_of::<u64>()
            + self.tables.iter().map(Table::memory_bytes).sum::<usize>()
    }

    /// Every stored hash at most `radius` bits from `query`, each entry once, closest first
    /// (ties by owner, then entry number). Exact for any radius; fast for radii up to 63 (the
    /// design point is [`sentinelle::PDQ_MATCH_THRESHOLD`], 31), a linear scan above.
    pub fn search(&self, query: &PdqHash, radius: u32) -> Vec<Match> {
        self.search_with(query, radius, Strategy::Auto)
    }

    fn search_with(&self, query: &PdqHash, radius: u32, strategy: Strategy) -> Vec<Match> {
        let query = pack(query);
        let word_radius = radius / WORD_BITS;
        let scan = match strategy {
            Strategy::Auto => word_radius >= SCAN_FROM_WORD_RADIUS,
            Strategy::Probe => false,
            Strategy::Scan => true,
        };
        let mut found = Vec::new();
        if scan {
            self.scan(&query, radius, 0, &mut found);
        } else {
            self.probe(&query, radius, word_radius, &mut found);
            self.scan(&query, radius, self.indexed, &mut found);
        }
        found.sort_unstable_by_key(|m| (m.distance, m.owner, m.entry));
        found
    }

    /// The indexed entries within `radius`, through the tables. Each entry is reported once: at
    /// the first word position where it is within `word_radius` of the query (it sits in
    /// exactly one bucket per position, and that position's probe reaches that bucket).
    fn probe(&self, query: &[u64; 4], radius: u32, word_radius: u32, found: &mut Vec<Match>) {
        let flips = masks_within(word_radius);
        for (position, table) in self.tables.iter().enumerate() {
            let own = word(query, position);
            for flip in &flips {
                for &entry in table.bucket(own ^ flip) {
                    let Some(hash) = self.hashes.get(entry as usize) else {
                        continue;
                    };
                    let distance = distance(hash, query);
                    if distance <= radius && first_close_word(hash, query, word_radius) == position
                    {
                        found.push(self.found(entry, distance));
                    }
                }
            }
        }
    }

    /// The entries from `first` on within `radius`, measured one by one.
    fn scan(&self, query: &[u64; 4], radius: u32, first: usize, found: &mut Vec<Match>) {
        let hashes = self.hashes.get(first..).unwrap_or(&[]);
        for (entry, hash) in (first..).zip(hashes) {
            let distance = distance(hash, query);
            if distance <= radius {
                // `entry` < len ≤ MAX_ENTRIES, so it fits.
                found.push(self.found(entry as u32, distance));
            }
        }
    }

    fn found(&self, entry: u32, distance: u32) -> Match {
        Match {
            owner: self.owners.get(entry as usize).copied().unwrap_or_default(),
            distance,
            entry,
        }
    }
}

impl fmt::Debug for PdqIndex {
    /// A summary: the contents would be a gigabyte of numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdqIndex")
            .field("len", &self.len())
            .field("indexed", &self.indexed)
            .field("memory_bytes", &self.memory_bytes())
            .finish()
    }
}

/// The number the next entry gets when `len` are stored, or `too-large` when all are taken.
fn entry_number(len: usize) -> Result<u32, Error> {
    if len >= MAX_ENTRIES {
        return Err(Error::new(
            ErrorCode::TooLarge,
            "a PDQ index holds at most 4294967295 hashes",
        ));
    }
    u32::try_from(len).map_err(|_| Error::new(ErrorCode::TooLarge, "too many PDQ hashes"))
}

/// Table `position` with the entries `first_recent..total` (whose hashes are `recent`) added:
/// old bucket contents stay in place, new ones go after them, so buckets stay in entry order.
fn rebuild(
    old: &Table,
    position: usize,
    recent: &[[u64; 4]],
    first_recent: usize,
    total: usize,
) -> Table {
    // The new entries grouped by value (a counting sort): offsets first, then the entries.
    let mut recent_starts = vec![0u32; VALUES + 1];
    for hash in recent {
        if let Some(count) = recent_starts.get_mut(usize::from(word(hash, position)) + 1) {
            *count += 1;
        }
    }
    prefix_sums(&mut recent_starts);
    let mut recent_grouped = vec![0u32; recent.len()];
    let mut cursor = recent_starts.clone();
    for (entry, hash) in (first_recent..).zip(recent) {
        let Some(next) = cursor.get_mut(usize::from(word(hash, position))) else {
            continue;
        };
        if let Some(slot) = recent_grouped.get_mut(*next as usize) {
            // `entry` < total ≤ MAX_ENTRIES, so it fits.
            *slot = entry as u32;
        }
        *next += 1;
    }
    let recent_table = Table {
        starts: recent_starts,
        postings: recent_grouped,
    };
    if old.postings.is_empty() {
        return recent_table;
    }

    // Merge, bucket by bucket: old entries then new ones.
    let mut starts = Vec::with_capacity(VALUES + 1);
    let mut postings = Vec::with_capacity(total);
    starts.push(0u32);
    for value in 0..=u16::MAX {
        postings.extend_from_slice(old.bucket(value));
        postings.extend_from_slice(recent_table.bucket(value));
        // At most `total` ≤ MAX_ENTRIES postings, so the offset fits.
        starts.push(postings.len() as u32);
    }
    Table { starts, postings }
}

/// Turns counts (shifted up by one place) into start offsets, in place.
fn prefix_sums(counts: &mut [u32]) {
    let mut sum = 0u32;
    for count in counts.iter_mut() {
        sum += *count;
        *count = sum;
    }
}

/// The hash's words packed four to a `u64`, for four-instruction distances.
fn pack(hash: &PdqHash) -> [u64; 4] {
    let words = hash.words();
    let mut packed = [0u64; 4];
    for (quad, words) in packed.iter_mut().zip(words.chunks_exact(4)) {
        *quad = words
            .iter()
            .rev()
            .fold(0u64, |acc, &w| (acc << WORD_BITS) | u64::from(w));
    }
    packed
}

/// Word `position` (0 to 15) of a packed hash.
#[inline]
fn word(hash: &[u64; 4], position: usize) -> u16 {
    let quad = hash.get(position / 4).copied().unwrap_or(0);
    (quad >> (WORD_BITS as usize * (position % 4))) as u16
}

/// Hamming distance of two packed hashes.
#[inline]
fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// The first word position where `a` and `b` differ in at most `word_radius` bits (16 if none:
/// then they are more than `16 · word_radius + 15` bits apart).
fn first_close_word(a: &[u64; 4], b: &[u64; 4], word_radius: u32) -> usize {
    (0..WORDS)
        .position(|p| (word(a, p) ^ word(b, p)).count_ones() <= word_radius)
        .unwrap_or(WORDS)
}

/// Every 16-bit mask with at most `bits` bits set, fewest bits first: XORed with a word they
/// give all values within `bits` of it. `sum(C(16, i), i ≤ bits)` of them (17 for 1 bit, 697
/// for 3, all 65 536 from 16 on).
fn masks_within(bits: u32) -> Vec<u16> {
    let bits = bits.min(WORD_BITS);
    let mut masks = Vec::new();
    for weight in 0..=bits {
        if weight == 0 {
            masks.push(0);
            continue;
        }
        // Gosper's hack: the next larger integer with the same number of set bits.
        let mut mask: u32 = (1 << weight) - 1;
        while mask < (1 << WORD_BITS) {
            masks.push(mask as u16);
            let lowest = mask & mask.wrapping_neg();
            let ripple = mask + lowest;
            mask = (((ripple ^ mask) >> 2) / lowest) | ripple;
        }
    }
    masks
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use super::*;

    /// splitmix64: a small deterministic generator, good enough for test data.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn words(&mut self) -> [u16; 16] {
            std::array::from_fn(|_| self.next() as u16)
        }
    }

    fn hash_of(words: [u16; 16]) -> PdqHash {
        let hex: String = words.iter().rev().map(|w| format!("{w:04x}")).collect();
        PdqHash::from_hex(&hex).unwrap()
    }

    /// `words` with exactly `bits` distinct bits flipped.
    fn flipped(rng: &mut Rng, words: [u16; 16], bits: usize) -> [u16; 16] {
        let mut out = words;
        let mut positions: Vec<usize> = (0..256).collect();
        for i in 0..bits {
            let j = i + rng.below(256 - i);
            positions.swap(i, j);
            out[positions[i] / 16] ^= 1 << (positions[i] % 16);
        }
        out
    }

    /// `words` with `least + (a random number below `spread`)` bits flipped.
    fn flipped_some(rng: &mut Rng, words: [u16; 16], least: usize, spread: usize) -> [u16; 16] {
        let bits = least + rng.below(spread);
        flipped(rng, words, bits)
    }

    /// The oracle: measure every entry with the core's own distance.
    fn brute_force(entries: &[(PdqHash, u64)], query: &PdqHash, radius: u32) -> Vec<Match> {
        let mut found: Vec<Match> = entries
            .iter()
            .enumerate()
            .filter_map(|(entry, (hash, owner))| {
                let distance = hash.distance(query);
                (distance <= radius).then_some(Match {
                    owner: *owner,
                    distance,
                    entry: entry as u32,
                })
            })
            .collect();
        found.sort_by_key(|m| (m.distance, m.owner, m.entry));
        found
    }

    const RADII: [u32; 8] = [0, 1, 15, 16, 31, 32, 47, 63];

    /// Checks every strategy against the oracle; returns the number of matches seen.
    fn check(
        index: &PdqIndex,
        entries: &[(PdqHash, u64)],
        query: &PdqHash,
        radii: &[u32],
    ) -> usize {
        let mut seen = 0;
        for &radius in radii {
            let expected = brute_force(entries, query, radius);
            for strategy in [Strategy::Auto, Strategy::Probe, Strategy::Scan] {
                let got = index.search_with(query, radius, strategy);
                assert_eq!(
                    got, expected,
                    "radius {radius}, {strategy:?}, query {query}"
                );
            }
            seen += expected.len();
        }
        seen
    }

    #[test]
    fn masks_within_enumerates_every_value_within_the_bits() {
        let binomial = |n: u64, k: u64| (0..k).fold(1u64, |acc, i| acc * (n - i) / (i + 1));
        for bits in 0..=17u32 {
            let masks = masks_within(bits);
            let expected: u64 = (0..=bits.min(16) as u64).map(|i| binomial(16, i)).sum();
            assert_eq!(masks.len() as u64, expected, "{bits} bits");
            let mut distinct = masks.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), masks.len(), "{bits} bits: repeats");
            assert!(masks.iter().all(|m| m.count_ones() <= bits));
            assert!(masks
                .windows(2)
                .all(|w| w[0].count_ones() <= w[1].count_ones()));
        }
        assert_eq!(masks_within(1).len(), 17);
        assert_eq!(masks_within(3).len(), 697);
    }

    #[test]
    fn packing_keeps_words_and_distance() {
        let mut rng = Rng(1);
        for _ in 0..100 {
            let a = hash_of(rng.words());
            let b = hash_of(rng.words());
            let (pa, pb) = (pack(&a), pack(&b));
            for p in 0..16 {
                assert_eq!(word(&pa, p), a.words()[p]);
            }
            assert_eq!(distance(&pa, &pb), a.distance(&b));
        }
    }

    #[test]
    fn empty_index_finds_nothing() {
        let index = PdqIndex::new();
        assert!(index.is_empty());
        assert_eq!(index.len(), 0);
        assert_eq!(index.memory_bytes(), 0);
        for radius in [0, 31, 63, 64, 256, u32::MAX] {
            assert!(index.search(&PdqHash::ZERO, radius).is_empty());
        }
        let built = PdqIndex::bulk_build(std::iter::empty()).unwrap();
        assert!(built.is_empty());
        assert!(built.search(&PdqHash::ZERO, 31).is_empty());
        assert_eq!(built.memory_bytes(), 0);
    }

    #[test]
    fn random_hashes_match_brute_force() {
        let mut rng = Rng(7);
        let entries: Vec<(PdqHash, u64)> = (0..5000)
            .map(|i| (hash_of(rng.words()), 1000 + i))
            .collect();
        let index = PdqIndex::bulk_build(entries.iter().copied()).unwrap();
        assert_eq!(index.len(), entries.len());
        let mut seen = 0;
        for q in 0..60 {
            let query = if q % 2 == 0 {
                // Near one stored hash, at 0 to 70 bits.
                let (base, _) = entries[rng.below(entries.len())];
                hash_of(flipped_some(&mut rng, base.words(), 0, 71))
            } else {
                hash_of(rng.words())
            };
            seen += check(&index, &entries, &query, &RADII);
        }
        assert!(seen > 0, "the near queries must find something");
    }

    #[test]
    fn clustered_hashes_match_brute_force_at_the_boundaries() {
        let mut rng = Rng(42);
        let centres: Vec<[u16; 16]> = (0..6).map(|_| rng.words()).collect();
        let mut entries = Vec::new();
        for (c, centre) in centres.iter().enumerate() {
            // Every distance 0..=40 several times, so 31 and 32 are both there.
            for bits in 0..=40 {
                for copy in 0..5 {
                    let owner = (c * 1000 + bits * 10 + copy) as u64;
                    entries.push((hash_of(flipped(&mut rng, *centre, bits)), owner));
                }
            }
        }
        for _ in 0..500 {
            entries.push((hash_of(rng.words()), 9_000_000 + rng.below(1000) as u64));
        }
        let index = PdqIndex::bulk_build(entries.iter().copied()).unwrap();

        for centre in &centres {
            let query = hash_of(*centre);
            check(&index, &entries, &query, &RADII);
            // Radius 31 takes the 31-bit ones and leaves the 32-bit ones.
            let found = index.search(&query, 31);
            assert!(found.iter().any(|m| m.distance == 31));
            assert!(found.iter().all(|m| m.distance <= 31));
            assert_eq!(found.iter().filter(|m| m.distance == 31).count(), 5);
            let wider = index.search(&query, 32);
            assert_eq!(wider.iter().filter(|m| m.distance == 32).count(), 5);
        }
        for q in 0..40 {
            let query = match q % 4 {
                0 => entries[rng.below(entries.len())].0,
                1 => hash_of(flipped_some(&mut rng, centres[q % centres.len()], 1, 40)),
                2 => hash_of(flipped_some(&mut rng, centres[q % centres.len()], 16, 40)),
                _ => hash_of(rng.words()),
            };
            check(&index, &entries, &query, &RADII);
        }
    }

    #[test]
    fn large_radii_are_exact_too() {
        let mut rng = Rng(3);
        let centre = rng.words();
        let entries: Vec<(PdqHash, u64)> = (0..400)
            .map(|i| (hash_of(flipped_some(&mut rng, centre, 0, 120)), i))
            .collect();
        let index = PdqIndex::bulk_build(entries.iter().copied()).unwrap();
        let query = hash_of(centre);
        // 64 and 79 probe 4 bits a word (2 517 buckets), 100 probes 6; 256 and up is everything.
        check(&index, &entries, &query, &[64, 79, 80, 100]);
        assert_eq!(index.search(&query, 256).len(), entries.len());
        assert_eq!(index.search(&query, u32::MAX).len(), entries.len());
    }

    #[test]
    fn exact_boundary_31_in_32_out() {
        let mut rng = Rng(5);
        let centre = rng.words();
        let at_31 = hash_of(flipped(&mut rng, centre, 31));
        let at_32 = hash_of(flipped(&mut rng, centre, 32));
        // 31 bits over 16 words, two to a word but one in the last: only the last word's table
        // can find it.
        let mut spread = centre;
        for (i, w) in spread.iter_mut().enumerate() {
            *w ^= if i == 15 { 0x8000 } else { 0b101 };
        }
        let spread = hash_of(spread);
        let query = hash_of(centre);
        assert_eq!(query.distance(&at_31), 31);
        assert_eq!(query.distance(&at_32), 32);
        assert_eq!(query.distance(&spread), 31);
        let index = PdqIndex::bulk_build([(at_31, 1), (at_32, 2), (spread, 3)]).unwrap();
        let owners = |radius| -> Vec<u64> {
            index
                .search(&query, radius)
                .iter()
                .map(|m| m.owner)
                .collect()
        };
        assert_eq!(owners(sentinelle::PDQ_MATCH_THRESHOLD), vec![1, 3]);
        assert_eq!(owners(30), Vec::<u64>::new());
        assert_eq!(owners(32), vec![1, 3, 2]);
    }

    #[test]
    fn insert_after_bulk_build_is_found() {
        let mut rng = Rng(11);
        let mut entries: Vec<(PdqHash, u64)> =
            (0..3000).map(|i| (hash_of(rng.words()), i)).collect();
        let mut index = PdqIndex::bulk_build(entries.iter().copied()).unwrap();
        let memory_before = index.memory_bytes();

        let fresh = hash_of(rng.words());
        assert!(index.search(&fresh, 31).is_empty());
        assert_eq!(index.insert(fresh, 77).unwrap(), 3000);
        entries.push((fresh, 77));
        let found = index.search(&fresh, 31);
        assert_eq!(
            found,
            vec![Match {
                owner: 77,
                distance: 0,
                entry: 3000
            }]
        );
        let near = hash_of(flipped(&mut rng, fresh.words(), 20));
        assert_eq!(
            index
                .search(&near, 31)
                .first()
                .map(|m| (m.owner, m.distance)),
            Some((77, 20))
        );
        // One insert does not double the memory.
        assert!(index.memory_bytes() < memory_before + memory_before / 8);

        // Enough inserts to rebuild the tables (more than MIN_RECENT); still exact.
        for i in 0..(MIN_RECENT as u64 + 100) {
            let hash = if i % 100 == 0 {
                hash_of(flipped_some(&mut rng, fresh.words(), 0, 40))
            } else {
                hash_of(rng.words())
            };
            let entry = index.insert(hash, 5000 + i).unwrap();
            assert_eq!(entry as usize, entries.len());
            entries.push((hash, 5000 + i));
        }
        assert!(
            index.indexed > 3000,
            "the inserts were folded into the tables"
        );
        assert!(index.indexed < index.len(), "and some came after");
        check(&index, &entries, &fresh, &RADII);
        check(&index, &entries, &near, &RADII);
        index.compact();
        assert_eq!(index.indexed, index.len());
        check(&index, &entries, &fresh, &RADII);
    }

    #[test]
    fn inserts_alone_build_a_searchable_index() {
        let mut rng = Rng(13);
        let mut index = PdqIndex::with_capacity(10);
        let mut entries = Vec::new();
        let centre = rng.words();
        for i in 0..200 {
            let hash = hash_of(flipped_some(&mut rng, centre, 0, 50));
            assert_eq!(index.insert(hash, i).unwrap(), i as u32);
            entries.push((hash, i));
        }
        assert_eq!(index.indexed, 0, "few inserts are scanned, not indexed");
        check(&index, &entries, &hash_of(centre), &RADII);
        index.compact();
        assert_eq!(index.indexed, 200);
        check(&index, &entries, &hash_of(centre), &RADII);
    }

    #[test]
    fn duplicate_hashes_with_different_owners_are_all_returned() {
        let mut rng = Rng(17);
        let dup = hash_of(rng.words());
        let mut entries: Vec<(PdqHash, u64)> =
            (0..1000).map(|i| (hash_of(rng.words()), i)).collect();
        for owner in [900_003, 900_001, 900_002, 900_001] {
            entries.push((dup, owner));
        }
        let mut index = PdqIndex::bulk_build(entries.iter().copied()).unwrap();
        let found = index.search(&dup, 31);
        assert_eq!(
            found,
            vec![
                Match {
                    owner: 900_001,
                    distance: 0,
                    entry: 1001
                },
                Match {
                    owner: 900_001,
                    distance: 0,
                    entry: 1003
                },
                Match {
                    owner: 900_002,
                    distance: 0,
                    entry: 1002
                },
                Match {
                    owner: 900_003,
                    distance: 0,
                    entry: 1000
                },
            ]
        );
        // And once more through the unindexed path.
        index.insert(dup, 1).unwrap();
        let found = index.search(&dup, 0);
        assert_eq!(found.len(), 5);
        assert_eq!(
            found[0],
            Match {
                owner: 1,
                distance: 0,
                entry: 1004
            }
        );
    }

    #[test]
    fn results_are_sorted_by_distance_then_owner() {
        let mut rng = Rng(19);
        let centre = rng.words();
        let entries: Vec<(PdqHash, u64)> = (0..300)
            .map(|_| {
                (
                    hash_of(flipped_some(&mut rng, centre, 0, 32)),
                    rng.next() % 50,
                )
            })
            .collect();
        let index = PdqIndex::bulk_build(entries.iter().copied()).unwrap();
        let found = index.search(&hash_of(centre), 31);
        assert_eq!(found.len(), 300);
        assert!(found
            .windows(2)
            .all(|w| (w[0].distance, w[0].owner, w[0].entry)
                < (w[1].distance, w[1].owner, w[1].entry)));
    }

    #[test]
    fn bulk_build_has_no_slack() {
        let mut rng = Rng(23);
        // A source that does not know its length, so the vectors grow while collecting.
        let n = 3001;
        let source = (0..n)
            .map(|i| (hash_of(rng.words()), i as u64))
            .filter(|_| true);
        let index = PdqIndex::bulk_build(source).unwrap();
        assert_eq!(index.len(), n);
        assert_eq!(index.memory_bytes(), 104 * n + 16 * 65_537 * 4);
    }

    #[test]
    fn entry_numbers_stop_at_u32_max() {
        assert_eq!(entry_number(0).unwrap(), 0);
        assert_eq!(entry_number(MAX_ENTRIES - 1).unwrap(), u32::MAX - 1);
        let err = entry_number(MAX_ENTRIES).unwrap_err();
        assert_eq!(err.code(), ErrorCode::TooLarge);
    }
}
