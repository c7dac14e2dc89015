//! Times the PDQ index on random hashes and checks it against a brute-force scan.
//!
//! `cargo run --release -p sentinelle-intake --example bench_pdq_index -- 10000000`
//!
//! Builds an index of N random hashes plus planted near-duplicates (500 centres, each with
//! hashes at a few distances up to 31 bits, one at exactly 31, one at 32 and one at 40), straight
//! from a generator as a server would from a database cursor, then runs 1000 searches at radius
//! 31, alternately a centre (planted matches) and a fresh random hash (none expected). Prints
//! the build time, `memory_bytes()`, resident memory, p50/p99 latency, and the brute-force
//! scan's p50 over the first 50 queries, whose results must be exactly the index's: any
//! difference makes the exit status non-zero.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sentinelle::{PdqHash, PDQ_MATCH_THRESHOLD};
use sentinelle_intake::pdq_index::{Match, PdqIndex};

/// Searches timed; even ones are near (a planted centre), odd ones far (fresh random hashes).
const QUERIES: usize = 1000;

/// Queries also run by brute force (each one reads every hash).
const CHECKED: usize = 50;

/// Planted hashes' distances from their centre: two random ones within 31, then the edges.
const PLANTED: usize = 5;

/// Owners of planted hashes start here (random hashes are owned by their number).
const PLANTED_OWNERS: u64 = 1 << 40;

/// Generator streams, so each kind of hash can be made again from its number alone.
const RANDOM_STREAM: u64 = 1;
const CENTRE_STREAM: u64 = 2;
const FLIP_STREAM: u64 = 3;
const FAR_STREAM: u64 = 4;
const INSERT_STREAM: u64 = 5;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("bench_pdq_index: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Box<dyn Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.replace('_', "").parse()?,
        None => 1_000_000,
    };
    let centres = QUERIES / 2;
    let planted = centres * PLANTED;
    println!("{n} random hashes + {planted} planted near {centres} centres; radius {PDQ_MATCH_THRESHOLD}");
    println!("resident before: {}", mib(status_kb("VmRSS:")));

    // How long making the hashes takes, to tell it apart from building.
    let started = Instant::now();
    let checksum = entries(n)
        .map(|(hash, owner)| u64::from(hash.words()[0]) ^ owner)
        .fold(0u64, |acc, x| acc.wrapping_add(x));
    let generating = started.elapsed();
    println!("generating the hashes alone: {generating:.2?} (checksum {checksum:x})");

    let started = Instant::now();
    let index = PdqIndex::bulk_build(entries(n))?;
    let building = started.elapsed();
    if index.len() != n + planted {
        return Err(format!("built {} entries, expected {}", index.len(), n + planted).into());
    }
    println!(
        "bulk_build (generating included): {building:.2?}, so about {:.2?} building",
        building.saturating_sub(generating)
    );
    let memory = index.memory_bytes();
    println!(
        "memory_bytes: {} ({:.1} bytes an entry)",
        mib(memory / 1024),
        memory as f64 / index.len() as f64
    );
    println!(
        "resident after build: {}, peak so far (VmHWM): {}",
        mib(status_kb("VmRSS:")),
        mib(status_kb("VmHWM:"))
    );

    let queries: Vec<PdqHash> = (0..QUERIES)
        .map(|q| {
            if q % 2 == 0 {
                to_pdq(centre(q as u64 / 2))
            } else {
                to_pdq(random_words(FAR_STREAM, q as u64))
            }
        })
        .collect::<Result<_, _>>()?;

    // One untimed pass to fault in pages and warm the caches as a running server would have.
    for query in queries.iter().take(20) {
        std::hint::black_box(index.search(query, PDQ_MATCH_THRESHOLD));
    }
    let mut near_times = Vec::new();
    let mut far_times = Vec::new();
    let mut results = Vec::new();
    let mut near_found = 0usize;
    for (q, query) in queries.iter().enumerate() {
        let started = Instant::now();
        let found = index.search(query, PDQ_MATCH_THRESHOLD);
        let took = started.elapsed();
        if q % 2 == 0 {
            near_times.push(took);
            near_found += found.len();
        } else {
            far_times.push(took);
        }
        if q < CHECKED {
            results.push(found);
        }
    }
    let mut all_times: Vec<Duration> = near_times.iter().chain(&far_times).copied().collect();
    println!(
        "search: p50 {:.3?}, p99 {:.3?}, max {:.3?} over {QUERIES} queries",
        percentile(&mut all_times, 50),
        percentile(&mut all_times, 99),
        all_times.last().copied().unwrap_or_default()
    );
    println!(
        "  near: p50 {:.3?}, p99 {:.3?} ({:.2} matches a query, {} planted within 31)",
        percentile(&mut near_times, 50),
        percentile(&mut near_times, 99),
        near_found as f64 / near_times.len().max(1) as f64,
        PLANTED - 2
    );
    println!(
        "  far:  p50 {:.3?}, p99 {:.3?}",
        percentile(&mut far_times, 50),
        percentile(&mut far_times, 99)
    );

    // The oracle: its own copy of every hash, measured with the core's distance.
    let oracle: Vec<PdqHash> = entries(n).map(|(hash, _)| hash).collect();
    let owners = |entry: usize| -> u64 {
        if entry < n {
            entry as u64
        } else {
            PLANTED_OWNERS + (entry - n) as u64
        }
    };
    let mut brute_times = Vec::new();
    let mut mismatches = 0usize;
    for (query, found) in queries.iter().zip(&results) {
        let started = Instant::now();
        let mut expected: Vec<Match> = oracle
            .iter()
            .enumerate()
            .filter_map(|(entry, hash)| {
                let distance = hash.distance(query);
                (distance <= PDQ_MATCH_THRESHOLD).then(|| Match {
                    owner: owners(entry),
                    distance,
                    entry: entry as u32,
                })
            })
            .collect();
        brute_times.push(started.elapsed());
        expected.sort_by_key(|m| (m.distance, m.owner, m.entry));
        if &expected != found {
            mismatches += 1;
            eprintln!("mismatch for {query}: index {found:?}, brute force {expected:?}");
        }
    }
    println!(
        "brute force: p50 {:.3?} over {} queries",
        percentile(&mut brute_times, 50),
        brute_times.len()
    );
    println!(
        "peak resident (VmHWM) with the oracle's {} copy: {}",
        mib(oracle.len() * 32 / 1024),
        mib(status_kb("VmHWM:"))
    );
    println!(
        "mismatches against brute force: {mismatches} of {}",
        results.len()
    );
    drop(oracle);

    // The server adds every new report: insert until the tables are rebuilt once (the module
    // rebuilds after max(16 384, n / 64) unindexed entries), timing each insert.
    let mut index = index;
    let memory_before = index.memory_bytes();
    let mut insert_times = Vec::new();
    let mut inserted_found = true;
    let inserts = (index.len() / 64).max(1 << 14) + 1;
    for i in 0..inserts as u64 {
        let hash = to_pdq(random_words(INSERT_STREAM, i))?;
        let started = Instant::now();
        let entry = index.insert(hash, u64::MAX - i)?;
        insert_times.push(started.elapsed());
        if i % 4096 == 0 {
            inserted_found &= index
                .search(&hash, PDQ_MATCH_THRESHOLD)
                .iter()
                .any(|m| m.entry == entry && m.distance == 0);
        }
    }
    let first = insert_times.first().copied().unwrap_or_default();
    let mut sorted = insert_times.clone();
    println!(
        "{inserts} inserts: first {first:.2?}, p50 {:.2?}, max {:.2?} (the rebuild); memory_bytes {} -> {}",
        percentile(&mut sorted, 50),
        sorted.last().copied().unwrap_or_default(),
        mib(memory_before / 1024),
        mib(index.memory_bytes() / 1024)
    );
    let mut after = Vec::new();
    for query in &queries {
        let started = Instant::now();
        std::hint::black_box(index.search(query, PDQ_MATCH_THRESHOLD));
        after.push(started.elapsed());
    }
    println!(
        "search after the inserts: p50 {:.3?}, p99 {:.3?}; inserted hashes found: {inserted_found}",
        percentile(&mut after, 50),
        percentile(&mut after, 99)
    );
    Ok(mismatches == 0 && inserted_found)
}

/// Every entry of the index, made on the fly: `n` random hashes owned by their number, then
/// the planted ones.
fn entries(n: usize) -> impl Iterator<Item = (PdqHash, u64)> {
    let random = (0..n as u64).map(|i| (random_words(RANDOM_STREAM, i), i));
    let planted = (0..(QUERIES / 2 * PLANTED) as u64).map(|k| {
        let c = k / PLANTED as u64;
        let mut rng = Rng::new(FLIP_STREAM, k);
        let bits = match k % PLANTED as u64 {
            0 => rng.below(11) as u32,
            1 => 11 + rng.below(21) as u32,
            2 => 31,
            3 => 32,
            _ => 40,
        };
        (flip(centre(c), bits, &mut rng), PLANTED_OWNERS + k)
    });
    random
        .chain(planted)
        .filter_map(|(words, owner)| Some((to_pdq(words).ok()?, owner)))
}

fn centre(c: u64) -> [u16; 16] {
    random_words(CENTRE_STREAM, c)
}

/// `words` with exactly `bits` distinct bits flipped.
fn flip(words: [u16; 16], bits: u32, rng: &mut Rng) -> [u16; 16] {
    let mut mask = [0u16; 16];
    let mut set = 0;
    while set < bits {
        let bit = rng.below(256);
        if let Some(word) = mask.get_mut(bit / 16) {
            let one = 1u16 << (bit % 16);
            if *word & one == 0 {
                *word |= one;
                set += 1;
            }
        }
    }
    let mut out = words;
    for (word, mask) in out.iter_mut().zip(mask) {
        *word ^= mask;
    }
    out
}

fn random_words(stream: u64, i: u64) -> [u16; 16] {
    let mut rng = Rng::new(stream, i);
    let quads = [rng.next(), rng.next(), rng.next(), rng.next()];
    std::array::from_fn(|w| {
        let quad = quads.get(w / 4).copied().unwrap_or(0);
        (quad >> (16 * (w % 4))) as u16
    })
}

/// A `PdqHash` from its words, through hex: the core builds hashes from images or hex only.
fn to_pdq(words: [u16; 16]) -> Result<PdqHash, sentinelle::Error> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [b'0'; 64];
    for (chunk, word) in hex.chunks_exact_mut(4).zip(words.iter().rev()) {
        for (k, digit) in chunk.iter_mut().enumerate() {
            let nibble = (word >> (12 - 4 * k)) & 0xf;
            *digit = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
        }
    }
    PdqHash::from_hex(std::str::from_utf8(&hex).unwrap_or(""))
}

/// splitmix64, seeded by stream and number.
struct Rng(u64);

impl Rng {
    fn new(stream: u64, i: u64) -> Self {
        let mut rng = Rng(stream.wrapping_mul(0xd134_2543_de82_ef95) ^ i);
        rng.next();
        rng
    }

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
}

/// The `p`th percentile (nearest rank); sorts `times`.
fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort_unstable();
    let rank = (times.len() * p).div_ceil(100).saturating_sub(1);
    times.get(rank).copied().unwrap_or_default()
}

/// A field of /proc/self/status in kB (0 where there is none, e.g. not on Linux).
fn status_kb(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

fn mib(kb: usize) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}
