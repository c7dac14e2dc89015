#![cfg(not(target_arch = "wasm32"))] // uses the native-only WebP encoder (image-webp)
//! Analysis of generated WebP fixtures whose every metadata chunk is known.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::webp::*;
use common::*;
use sentinelle::{analyze, Analysis, Category, ErrorCode, Format};

fn has(a: &Analysis, category: Category, field: &str, value: &str) -> bool {
    a.findings
        .iter()
        .any(|f| f.category == category && f.field == field && f.value == value)
}

#[test]
fn a_plain_webp_gives_nothing_away() {
    for alpha in [false, true] {
        let a = analyze(&gradient_webp(32, 16, alpha)).unwrap();
        assert_eq!(a.format, Format::Webp);
        assert!(a.findings.is_empty(), "{:?}", a.findings);
        assert!(a.location.is_none());
    }
}

#[test]
fn exif_chunk_gives_gps_with_exact_decimal_values() {
    for (big_endian, prefix) in [(false, false), (true, false), (false, true)] {
        let mut exif = if prefix {
            b"Exif\0\0".to_vec()
        } else {
            Vec::new()
        };
        exif.extend_from_slice(&camera_exif(1, big_endian));
        let webp = webp_file(&[
            vp8x_chunk(WEBP_EXIF, 16, 16),
            vp8l_of(&gradient_webp(16, 16, false)),
            webp_chunk(b"EXIF", &exif),
        ]);
        let a = analyze(&webp).unwrap();
        let p = a.location.expect("GPS position");
        assert!((p.latitude - LATITUDE).abs() < 1e-6, "{}", p.latitude);
        assert!((p.longitude - LONGITUDE).abs() < 1e-6, "{}", p.longitude);
        assert_eq!(p.altitude_m, Some(ALTITUDE));
        assert!(has(&a, Category::Location, "GPSLatitude", "48.858400° N"));
        assert!(has(
            &a,
            Category::Device,
            "BodySerialNumber",
            "SN-0042-1337"
        ));
        assert!(has(&a, Category::Person, "Artist", "Ann Example"));
    }
}

#[test]
fn xmp_chunk_is_read() {
    let webp = webp_file(&[
        vp8x_chunk(WEBP_XMP, 8, 8),
        vp8l_of(&gradient_webp(8, 8, false)),
        webp_chunk(b"XMP ", XMP_PACKET.as_bytes()),
    ]);
    let a = analyze(&webp).unwrap();
    assert!(has(&a, Category::Person, "XMP:Creator", "Ann Example"));
    assert!(has(&a, Category::Location, "XMP:GPSLatitude", "48,51.504N"));
    assert!(a.findings.iter().any(|f| f.field == "XMP"));
    let p = a.location.expect("XMP position");
    assert!((p.latitude - 48.8584).abs() < 1e-6);
}

#[test]
fn the_full_fixture_reports_everything_it_holds() {
    let a = analyze(&full_webp_fixture(6)).unwrap();
    assert!(a.location.is_some());
    assert!(has(&a, Category::Person, "XMP:Creator", "Ann Example"));
    assert!(
        has(&a, Category::Other, "WebP:ABCD", "13 bytes of extra data"),
        "{:?}",
        a.findings
    );
    assert!(
        a.findings
            .iter()
            .any(|f| f.field == "TrailingData" && f.category == Category::HiddenImage),
        "{:?}",
        a.findings
    );
    // Kept chunks (VP8X, ICCP, VP8L) are not reported.
    assert!(!a
        .findings
        .iter()
        .any(|f| f.field.contains("ICC") || f.field.contains("VP8")));
}

#[test]
fn a_damaged_exif_chunk_is_a_finding_not_an_error() {
    let webp = webp_file(&[
        vp8x_chunk(WEBP_EXIF, 8, 8),
        vp8l_of(&gradient_webp(8, 8, false)),
        webp_chunk(b"EXIF", b"not a TIFF block at all"),
    ]);
    let a = analyze(&webp).unwrap();
    assert!(
        has(&a, Category::Other, "Exif", "unreadable EXIF block"),
        "{:?}",
        a.findings
    );
}

#[test]
fn odd_sized_chunks_are_padded() {
    // A 3-byte unknown chunk needs one pad byte; the chunk after it must still be found.
    let webp = webp_file(&[
        vp8x_chunk(WEBP_XMP, 8, 8),
        vp8l_of(&gradient_webp(8, 8, false)),
        webp_chunk(b"ODD!", b"abc"),
        webp_chunk(b"XMP ", XMP_PACKET.as_bytes()),
    ]);
    let a = analyze(&webp).unwrap();
    assert!(
        has(&a, Category::Other, "WebP:ODD!", "3 bytes of extra data"),
        "{:?}",
        a.findings
    );
    assert!(has(&a, Category::Person, "XMP:Creator", "Ann Example"));

    // Without the pad byte the next chunk header is misread: an error, not a wrong answer.
    let mut unpadded = webp_file(&[
        vp8x_chunk(WEBP_XMP, 8, 8),
        vp8l_of(&gradient_webp(8, 8, false)),
    ]);
    unpadded.extend_from_slice(b"ODD!\x03\0\0\0abc");
    unpadded.extend_from_slice(&webp_chunk(b"XMP ", XMP_PACKET.as_bytes()));
    let size = (unpadded.len() - 8) as u32;
    unpadded[4..8].copy_from_slice(&size.to_le_bytes());
    let err = analyze(&unpadded).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Malformed, "{err}");
}

#[test]
fn without_image_data_it_is_malformed() {
    let webp = webp_file(&[
        vp8x_chunk(0, 8, 8),
        webp_chunk(b"XMP ", XMP_PACKET.as_bytes()),
    ]);
    assert_eq!(analyze(&webp).unwrap_err().code(), ErrorCode::Malformed);
}
