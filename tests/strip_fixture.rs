//! Lossless cleaning of generated fixtures: nothing left to find, same pixels, same scan bytes,
//! orientation and colour profile kept, trailer gone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use sentinelle::{analyze, strip_metadata};

#[test]
fn stripped_copy_has_no_findings_and_identical_pixels() {
    for orientation in 1..=8 {
        let original = full_fixture(orientation);
        assert!(!analyze(&original).unwrap().findings.is_empty());
        let clean = strip_metadata(&original).unwrap();
        let a = analyze(&clean).unwrap();
        assert!(a.findings.is_empty(), "left: {:?}", a.findings);
        assert_eq!(a.location, None);
        assert_eq!(
            decode_pixels(&clean).expect("clean copy decodes"),
            decode_pixels(&original).expect("original decodes"),
        );
        assert_eq!(scan_bytes(&clean), scan_bytes(&original));
        assert!(clean.len() < original.len());
    }
}

#[test]
fn orientation_is_kept_when_not_upright() {
    for orientation in 1..=8u16 {
        let clean = strip_metadata(&full_fixture(orientation)).unwrap();
        let kept = orientation_of(&clean);
        if orientation == 1 {
            assert_eq!(kept, None, "no EXIF needed for an upright photo");
        } else {
            assert_eq!(kept, Some(u32::from(orientation)));
            // The new EXIF holds Orientation and nothing else.
            let exif = exif::Reader::new()
                .read_from_container(&mut std::io::Cursor::new(&clean))
                .unwrap();
            assert_eq!(exif.fields().count(), 1);
        }
    }
}

#[test]
fn orientation_segment_follows_jfif_or_soi() {
    // JFIF first (encoder output): SOI, APP0, APP1.
    let clean = strip_metadata(&full_fixture(6)).unwrap();
    let segs = segments(&clean);
    assert_eq!(segs[0].0, 0xE0);
    assert_eq!(segs[1].0, 0xE1);
    // EXIF before JFIF in the original: SOI, APP1, APP0.
    let jpeg = insert_segments(
        &gradient_jpeg(16, 16),
        0,
        &[exif_segment(&camera_exif(8, false))],
    );
    let clean = strip_metadata(&jpeg).unwrap();
    let segs = segments(&clean);
    assert_eq!(segs[0].0, 0xE1);
    assert_eq!(segs[1].0, 0xE0);
    assert_eq!(orientation_of(&clean), Some(8));
}

#[test]
fn icc_profile_and_coding_segments_are_byte_identical() {
    let original = full_fixture(3);
    let clean = strip_metadata(&original).unwrap();
    let icc = icc_segment(&fake_icc_profile());
    let icc_payload = &icc[4..];
    let kept: Vec<_> = segments(&clean);
    assert!(kept.iter().any(|(m, p)| *m == 0xE2 && p == icc_payload));
    // Every table, frame and scan header of the original is in the copy, in the same order.
    let coding = |segs: Vec<(u8, Vec<u8>)>| -> Vec<(u8, Vec<u8>)> {
        segs.into_iter()
            .filter(|(m, _)| !(0xE0..=0xEF).contains(m) && *m != 0xFE)
            .collect()
    };
    assert_eq!(coding(segments(&clean)), coding(segments(&original)));
}

#[test]
fn trailing_data_is_removed_and_copy_ends_at_eoi() {
    let original = full_fixture(1);
    let clean = strip_metadata(&original).unwrap();
    assert!(clean.ends_with(&[0xFF, 0xD9]));
    assert!(!clean.windows(TRAILER.len()).any(|w| w == TRAILER));
    assert!(!clean.windows(11).any(|w| w == b"Ann Example"));
    assert!(!clean.windows(12).any(|w| w == b"SN-0042-1337"));
}

#[test]
fn stripping_is_idempotent_and_input_is_untouched() {
    let original = full_fixture(5);
    let before = original.clone();
    let once = strip_metadata(&original).unwrap();
    let twice = strip_metadata(&once).unwrap();
    assert_eq!(once, twice);
    assert_eq!(original, before);
}

#[test]
fn jfif_thumbnail_is_dropped_and_density_kept() {
    // JFIF with a 2x1 RGB thumbnail (6 bytes).
    let mut jfif = b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\x02\x01".to_vec();
    jfif.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
    let base = gradient_jpeg(16, 16);
    // Replace the encoder's APP0 with ours.
    let len = u16::from_be_bytes([base[4], base[5]]) as usize;
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend_from_slice(&segment(0xE0, &jfif));
    jpeg.extend_from_slice(&base[4 + len..]);
    let a = analyze(&jpeg).unwrap();
    assert!(a.findings.iter().any(|f| f.field == "JFIFThumbnail"));
    let clean = strip_metadata(&jpeg).unwrap();
    assert!(analyze(&clean).unwrap().findings.is_empty());
    let segs = segments(&clean);
    assert_eq!(
        segs[0],
        (0xE0, b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\0\0".to_vec())
    );
    assert_eq!(decode_pixels(&clean), decode_pixels(&jpeg));
}

#[test]
fn restart_markers_and_fill_bytes_survive() {
    // Synthetic stream: the cleaner never decodes, so dummy tables are enough to test that
    // scan data with stuffing, restart markers and fill bytes is copied exactly.
    let scan: &[u8] = &[
        0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD1, 0x78,
    ];
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend_from_slice(&exif_segment(&camera_exif(1, true)));
    jpeg.extend_from_slice(&segment(0xDB, &[0]));
    jpeg.extend_from_slice(&segment(0xC0, &[0]));
    jpeg.extend_from_slice(&segment(0xDD, &[0, 4]));
    jpeg.extend_from_slice(&segment(0xDA, &[0]));
    jpeg.extend_from_slice(scan);
    // A comment between scans (progressive files have several scans) is dropped too.
    jpeg.extend_from_slice(&comment_segment("between scans"));
    jpeg.extend_from_slice(&segment(0xDA, &[1]));
    jpeg.extend_from_slice(&[0x9A, 0xBC]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let clean = strip_metadata(&jpeg).unwrap();
    let mut expected = vec![0xFF, 0xD8];
    expected.extend_from_slice(&segment(0xDB, &[0]));
    expected.extend_from_slice(&segment(0xC0, &[0]));
    expected.extend_from_slice(&segment(0xDD, &[0, 4]));
    expected.extend_from_slice(&segment(0xDA, &[0]));
    expected.extend_from_slice(scan);
    expected.extend_from_slice(&segment(0xDA, &[1]));
    expected.extend_from_slice(&[0x9A, 0xBC, 0xFF, 0xD9]);
    assert_eq!(clean, expected);
}
