//! Lossless PNG cleaning of generated fixtures: nothing left, same IDAT bytes, same pixels,
//! colour chunks and orientation kept.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use sentinelle::{analyze, strip_metadata};

fn kinds(png: &[u8]) -> Vec<String> {
    png_chunks(png)
        .iter()
        .map(|(k, _, _)| String::from_utf8_lossy(k).into_owned())
        .collect()
}

/// The EXIF Orientation of a PNG's eXIf chunk, read with kamadak-exif (independent of us).
fn png_orientation(png: &[u8]) -> Option<u32> {
    let (_, data, _) = png_chunks(png).into_iter().find(|(k, _, _)| k == b"eXIf")?;
    let exif = exif::Reader::new().read_raw(data).ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

#[test]
fn clean_copy_has_no_findings_same_idat_and_same_pixels() {
    for orientation in 1..=8 {
        let png = full_png_fixture(orientation);
        let clean = strip_metadata(&png).unwrap();
        let a = analyze(&clean).unwrap();
        assert!(a.findings.is_empty(), "{orientation}: {:?}", a.findings);
        assert!(a.location.is_none());
        assert_eq!(png_idat(&clean), png_idat(&png), "IDAT bytes changed");
        let pixels = decode_png(&png).expect("fixture decodes");
        assert_eq!(decode_png(&clean), Some(pixels), "pixels changed");
        // Nothing after IEND.
        assert_eq!(png_chunks(&clean).last().unwrap().2.end, clean.len());
        assert_eq!(strip_metadata(&clean).unwrap(), clean, "not idempotent");

        if orientation == 1 {
            assert_eq!(
                kinds(&clean),
                ["IHDR", "gAMA", "iCCP", "pHYs", "IDAT", "IEND"]
            );
            assert_eq!(png_orientation(&clean), None);
        } else {
            assert_eq!(
                kinds(&clean),
                ["IHDR", "eXIf", "gAMA", "iCCP", "pHYs", "IDAT", "IEND"]
            );
            assert_eq!(png_orientation(&clean), Some(u32::from(orientation)));
            let exif = &png_chunks(&clean)[1].1;
            let parsed = exif::Reader::new().read_raw(exif.clone()).unwrap();
            assert_eq!(
                parsed.fields().count(),
                1,
                "only Orientation is written back"
            );
        }
    }
}

#[test]
fn kept_chunks_are_byte_identical() {
    let png = full_png_fixture(1);
    let clean = strip_metadata(&png).unwrap();
    for kind in [b"IHDR", b"gAMA", b"iCCP", b"pHYs", b"IEND"] {
        let find = |p: &[u8]| {
            png_chunks(p)
                .into_iter()
                .find(|(k, _, _)| k == kind)
                .map(|(_, _, r)| p[r].to_vec())
        };
        assert_eq!(
            find(&clean),
            find(&png),
            "{}",
            String::from_utf8_lossy(kind)
        );
    }
    assert!(
        clean.len() < png.len() / 2,
        "{} of {}",
        clean.len(),
        png.len()
    );
}

#[test]
fn multi_idat_and_animation_chunks_are_kept_in_order() {
    // Split the IDAT data in three chunks, and add APNG control chunks around them.
    let base = gradient_png(24, 24);
    let chunks = png_chunks(&base);
    let idat: Vec<u8> = png_idat(&base).concat();
    let third = idat.len() / 3;
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend_from_slice(&base[chunks[0].2.clone()]);
    png.extend_from_slice(&png_chunk(b"acTL", &[0, 0, 0, 1, 0, 0, 0, 0]));
    let mut fctl = vec![0, 0, 0, 0];
    fctl.extend_from_slice(&24u32.to_be_bytes());
    fctl.extend_from_slice(&24u32.to_be_bytes());
    fctl.extend_from_slice(&[0; 8]);
    fctl.extend_from_slice(&[0, 1, 0, 100, 0, 0]);
    png.extend_from_slice(&png_chunk(b"fcTL", &fctl));
    png.extend_from_slice(&text_chunk("Author", b"Ann"));
    for part in [&idat[..third], &idat[third..2 * third], &idat[2 * third..]] {
        png.extend_from_slice(&png_chunk(b"IDAT", part));
    }
    png.extend_from_slice(&png_chunk(b"IEND", b""));
    let clean = strip_metadata(&png).unwrap();
    assert_eq!(
        kinds(&clean),
        ["IHDR", "acTL", "fcTL", "IDAT", "IDAT", "IDAT", "IEND"]
    );
    assert_eq!(png_idat(&clean), png_idat(&png));
    assert_eq!(decode_png(&clean), decode_png(&base));
}

#[test]
fn cleaning_a_clean_png_changes_nothing() {
    let png = gradient_png(20, 10);
    assert_eq!(strip_metadata(&png).unwrap(), png);
}
