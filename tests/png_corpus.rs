//! Real PNG files from the shared corpus (skipped with a note when it is absent), with
//! exiftool as an independent oracle when it is installed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use common::*;
use sentinelle::{analyze, strip_metadata};

/// The exiftool test PNG plus the PDQ reference PNGs (plain images, a good losslessness
/// check on real encoders' output).
fn all_corpus_pngs() -> Vec<PathBuf> {
    let mut files = corpus_pngs();
    if let Some(dir) = corpus_dir() {
        files.extend(files_under(&dir.join("pdq"), &["png"]));
    }
    files
}

/// Every corpus PNG either analyses and strips (clean copy, same IDAT, same pixels) or fails
/// with an error code; never a panic.
#[test]
fn every_corpus_png_is_cleaned_losslessly_or_refused() {
    let files = all_corpus_pngs();
    if files.is_empty() {
        return;
    }
    let mut cleaned = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let name = path.display();
        let (analysis, stripped) = match (analyze(&bytes), strip_metadata(&bytes)) {
            (Ok(a), Ok(s)) => (a, s),
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
        assert_eq!(png_idat(&stripped), png_idat(&bytes), "{name}");
        if let Some(pixels) = decode_png(&bytes) {
            assert_eq!(
                decode_png(&stripped),
                Some(pixels),
                "{name}: pixels changed"
            );
        }
        assert_eq!(strip_metadata(&stripped).unwrap(), stripped, "{name}");
        let _ = analysis;
        cleaned += 1;
    }
    eprintln!("cleaned {cleaned} of {} corpus PNGs", files.len());
    assert_eq!(cleaned, files.len());
}

#[test]
fn the_exiftool_sample_reports_its_comment_and_xmp() {
    let Some(dir) = corpus_dir() else {
        eprintln!("note: no corpus; skipped");
        return;
    };
    let a = analyze(&std::fs::read(dir.join("exiftool/PNG.png")).unwrap()).unwrap();
    assert!(a
        .findings
        .iter()
        .any(|f| f.field == "XMP:Creator" && f.value == "Phil Harvey"));
    assert!(a.findings.iter().any(|f| f.value == "test comment"));
}

/// PNG-group tags a clean copy may still have: image structure, colour and pixel size.
const PNG_ALLOWED: &[&str] = &[
    "ImageWidth",
    "ImageHeight",
    "BitDepth",
    "ColorType",
    "Compression",
    "Filter",
    "Interlace",
    "Gamma",
    "ProfileName",
    "ICC_Profile",
    "PixelsPerUnitX",
    "PixelsPerUnitY",
    "PixelUnits",
    "BackgroundColor",
    "Palette",
    "Transparency",
    "SRGBRendering",
    "WhitePointX",
    "WhitePointY",
    "RedX",
    "RedY",
    "GreenX",
    "GreenY",
    "BlueX",
    "BlueY",
    "SignificantBits",
];

#[test]
fn exiftool_finds_nothing_identifying_in_clean_copies() {
    let mut originals: Vec<(String, Vec<u8>)> = all_corpus_pngs()
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    for orientation in [1, 6] {
        originals.push((
            format!("full_png_fixture({orientation})"),
            full_png_fixture(orientation),
        ));
    }
    let Some(cleaned) = exiftool_tags_of_clean_copies("png-exiftool-oracle", "png", &originals)
    else {
        return;
    };
    assert!(!cleaned.is_empty());
    for (name, tags) in &cleaned {
        for (group, tag) in assert_nothing_identifying(name, tags) {
            if group == "PNG" {
                assert!(
                    PNG_ALLOWED.contains(&tag.as_str()),
                    "{name}: PNG:{tag} left"
                );
            }
        }
    }
}
