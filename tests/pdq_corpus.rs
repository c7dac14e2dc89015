//! PDQ bit-exactness against Meta's reference implementation: `../shared/corpus/pdq/` holds the
//! reference's test images as PNG (so every decoder gives the same pixels) and `expected.csv`,
//! the hash, quality and eight dihedral hashes the reference C++ computes from those pixels at
//! full resolution. Every row must match to the bit. Skipped, with a note, without the corpus.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use sentinelle::{hash_image, pdq_from_rgb, PdqHashes};

struct Row {
    file: String,
    width: u32,
    height: u32,
    quality: u8,
    hashes: Vec<String>,
}

fn corpus() -> Option<(PathBuf, Vec<Row>)> {
    let Some(dir) = common::corpus_dir().map(|d| d.join("pdq")) else {
        eprintln!("note: no ../shared/corpus/pdq; PDQ reference vectors skipped");
        return None;
    };
    let csv = std::fs::read_to_string(dir.join("expected.csv")).ok()?;
    let mut lines = csv.lines();
    let header = lines.next()?;
    assert_eq!(
        header,
        "file,width,height,quality,hash_orig,rot90,rot180,rot270,flipx,flipy,flipplus1,flipminus1"
    );
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 12, "{line}");
            Row {
                file: f[0].to_string(),
                width: f[1].parse().unwrap(),
                height: f[2].parse().unwrap(),
                quality: f[3].parse().unwrap(),
                hashes: f[4..].iter().map(|s| s.to_string()).collect(),
            }
        })
        .collect();
    Some((dir, rows))
}

/// Differences between what we computed and a CSV row, as readable lines.
fn differences(row: &Row, got: &PdqHashes) -> Vec<String> {
    let mut out = Vec::new();
    if got.quality != row.quality {
        out.push(format!(
            "quality {} (expected {})",
            got.quality, row.quality
        ));
    }
    if got.hash != row.hashes[0] {
        out.push(format!("hash {} (expected {})", got.hash, row.hashes[0]));
    }
    for (i, (ours, theirs)) in got.dihedral.iter().zip(&row.hashes).enumerate() {
        if ours != theirs {
            let d = sentinelle::pdq_distance(ours, theirs).unwrap_or(999);
            out.push(format!(
                "dihedral {i}: {ours} (expected {theirs}, {d} bits off)"
            ));
        }
    }
    out
}

#[test]
fn every_reference_vector_matches_bit_for_bit() {
    let Some((dir, rows)) = corpus() else {
        return;
    };
    assert!(rows.len() >= 26, "expected.csv lists {} files", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let bytes = std::fs::read(dir.join(&row.file)).unwrap();
        let hashes = hash_image(&bytes).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let pdq = hashes.pdq.expect("an image has a PDQ hash");
        for line in differences(row, &pdq) {
            failures.push(format!("{}: {line}", row.file));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences from the reference:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} of {} reference rows match bit for bit",
        rows.len(),
        rows.len()
    );
}

#[test]
fn pixels_given_directly_hash_the_same() {
    // The browser path: pixels decoded elsewhere, handed over as RGB.
    let Some((dir, rows)) = corpus() else {
        return;
    };
    for row in rows.iter().filter(|r| r.width * r.height < 300_000) {
        let image = image::open(dir.join(&row.file)).unwrap().to_rgb8();
        assert_eq!((image.width(), image.height()), (row.width, row.height));
        let result = pdq_from_rgb(row.width, row.height, image.as_raw()).unwrap();
        let differences = differences(row, &PdqHashes::from(&result));
        assert!(differences.is_empty(), "{}: {differences:?}", row.file);
    }
}
