#![cfg(not(target_arch = "wasm32"))] // uses the native-only WebP encoder (image-webp)
//! Real WebP files from the shared corpus (skipped with a note when it is absent), with
//! exiftool as an independent oracle when it is installed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use common::webp::*;
use common::*;
use sentinelle::{analyze, strip_metadata};

/// The WebPs of the corpus's exiftool test images, or an empty list with a note.
fn corpus_webps() -> Vec<PathBuf> {
    match corpus_dir() {
        Some(dir) => files_under(&dir.join("exiftool"), &["webp"]),
        None => {
            eprintln!("note: no ../shared/corpus; corpus checks skipped");
            Vec::new()
        }
    }
}

/// Every corpus WebP either analyses and strips (clean copy, same image chunks, same pixels)
/// or fails with an error code; never a panic.
#[test]
fn every_corpus_webp_is_cleaned_losslessly_or_refused() {
    let files = corpus_webps();
    if files.is_empty() {
        return;
    }
    let mut cleaned = 0;
    let mut pixel_checked = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let name = path.display();
        let stripped = match (analyze(&bytes), strip_metadata(&bytes)) {
            (Ok(_), Ok(s)) => s,
            (a, s) => {
                let code = a.err().or(s.err()).unwrap().code();
                eprintln!("{name}: refused ({code})");
                continue;
            }
        };
        let after = analyze(&stripped).unwrap_or_else(|e| panic!("{name} clean copy: {e}"));
        assert!(
            after.findings.is_empty(),
            "{name}: left {:?}",
            after.findings
        );
        assert_eq!(
            webp_image_data(&stripped),
            webp_image_data(&bytes),
            "{name}"
        );
        if let Some(pixels) = decode_webp(&bytes) {
            assert_eq!(
                decode_webp(&stripped),
                Some(pixels),
                "{name}: pixels changed"
            );
            pixel_checked += 1;
        }
        assert_eq!(strip_metadata(&stripped).unwrap(), stripped, "{name}");
        cleaned += 1;
    }
    eprintln!(
        "cleaned {cleaned} of {} corpus WebPs ({pixel_checked} decoded and compared)",
        files.len()
    );
    assert_eq!(cleaned, files.len());
}

#[test]
fn the_exiftool_sample_reports_its_exif_and_xmp() {
    let Some(dir) = corpus_dir() else {
        eprintln!("note: no corpus; skipped");
        return;
    };
    let a = analyze(&std::fs::read(dir.join("exiftool/RIFF.webp")).unwrap()).unwrap();
    assert!(
        a.findings
            .iter()
            .any(|f| f.field == "Artist" && f.value == "me"),
        "{:?}",
        a.findings
    );
    assert!(
        a.findings.iter().any(|f| f.field == "XMP"),
        "{:?}",
        a.findings
    );
}

#[test]
fn exiftool_finds_nothing_identifying_in_clean_copies() {
    let mut originals: Vec<(String, Vec<u8>)> = corpus_webps()
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    for orientation in [1, 6] {
        originals.push((
            format!("full_webp_fixture({orientation})"),
            full_webp_fixture(orientation),
        ));
    }
    let Some(cleaned) = exiftool_tags_of_clean_copies("webp-exiftool-oracle", "webp", &originals)
    else {
        return;
    };
    assert!(!cleaned.is_empty());
    for (name, tags) in &cleaned {
        assert_nothing_identifying(name, tags);
        // The fixture with orientation 6 keeps exactly that.
        if name == "full_webp_fixture(6)" {
            assert_eq!(tags["EXIF:Orientation"], 6, "{name}");
        }
    }
}
