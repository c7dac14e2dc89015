#![cfg(not(target_arch = "wasm32"))] // uses the native-only WebP encoder (image-webp)
//! Lossless WebP cleaning of generated fixtures: nothing left, same image chunks byte for
//! byte, same pixels, VP8X flags and RIFF size fixed, orientation kept.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::webp::*;
use common::*;
use sentinelle::{analyze, strip_metadata};

fn kinds(webp: &[u8]) -> Vec<String> {
    webp_chunks(webp)
        .iter()
        .map(|(k, _, _)| String::from_utf8_lossy(k).into_owned())
        .collect()
}

/// The EXIF Orientation of a WebP's EXIF chunk, read with kamadak-exif (independent of us).
fn webp_orientation(webp: &[u8]) -> Option<u32> {
    let (_, data, _) = webp_chunks(webp)
        .into_iter()
        .find(|(k, _, _)| k == b"EXIF")?;
    let exif = exif::Reader::new().read_raw(data).ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

/// The RIFF size field says exactly how long the file is.
fn assert_riff_size(webp: &[u8]) {
    let size = u32::from_le_bytes(webp[4..8].try_into().unwrap()) as usize;
    assert_eq!(size + 8, webp.len(), "RIFF size");
}

#[test]
fn clean_copy_has_no_findings_same_image_data_and_same_pixels() {
    for orientation in 1..=8 {
        let webp = full_webp_fixture(orientation);
        let clean = strip_metadata(&webp).unwrap();
        let a = analyze(&clean).unwrap();
        assert!(a.findings.is_empty(), "{orientation}: {:?}", a.findings);
        assert!(a.location.is_none());
        assert_eq!(
            webp_image_data(&clean),
            webp_image_data(&webp),
            "VP8L changed"
        );
        let pixels = decode_webp(&webp).expect("fixture decodes");
        assert_eq!(decode_webp(&clean), Some(pixels), "pixels changed");
        assert_riff_size(&clean);
        assert_eq!(strip_metadata(&clean).unwrap(), clean, "not idempotent");

        if orientation == 1 {
            assert_eq!(kinds(&clean), ["VP8X", "ICCP", "VP8L"]);
            assert_eq!(webp_flags(&clean), Some(WEBP_ICC));
            assert_eq!(webp_orientation(&clean), None);
        } else {
            assert_eq!(kinds(&clean), ["VP8X", "ICCP", "VP8L", "EXIF"]);
            assert_eq!(webp_flags(&clean), Some(WEBP_ICC | WEBP_EXIF));
            assert_eq!(webp_orientation(&clean), Some(u32::from(orientation)));
            let exif = &webp_chunks(&clean)[3].1;
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
fn kept_chunks_are_byte_identical_and_other_flags_survive() {
    let (w, h) = (20, 12);
    let flags = WEBP_ICC | WEBP_ALPHA | WEBP_EXIF | WEBP_XMP;
    let webp = webp_file(&[
        vp8x_chunk(flags, w, h),
        webp_chunk(b"ICCP", &fake_icc_profile()),
        vp8l_of(&gradient_webp(w, h, true)),
        webp_chunk(b"XMP ", XMP_PACKET.as_bytes()),
        webp_chunk(b"EXIF", &camera_exif(1, false)),
    ]);
    let clean = strip_metadata(&webp).unwrap();
    assert_eq!(kinds(&clean), ["VP8X", "ICCP", "VP8L"]);
    assert_eq!(webp_flags(&clean), Some(WEBP_ICC | WEBP_ALPHA));
    let find = |p: &[u8], kind: &[u8; 4]| {
        webp_chunks(p)
            .into_iter()
            .find(|(k, _, _)| k == kind)
            .map(|(_, _, r)| p[r].to_vec())
    };
    for kind in [b"ICCP", b"VP8L"] {
        assert_eq!(
            find(&clean, kind),
            find(&webp, kind),
            "{}",
            String::from_utf8_lossy(kind)
        );
    }
    // The canvas size bytes of VP8X are untouched.
    assert_eq!(
        find(&clean, b"VP8X").unwrap()[9..],
        find(&webp, b"VP8X").unwrap()[9..]
    );
    assert_eq!(decode_webp(&clean), decode_webp(&webp));
    assert_riff_size(&clean);
}

#[test]
fn a_simple_file_gets_a_vp8x_only_when_orientation_needs_one() {
    for alpha in [false, true] {
        let (w, h) = (30, 17);
        let simple = gradient_webp(w, h, alpha);
        let mut with_exif = simple.clone();
        with_exif.extend_from_slice(&webp_chunk(b"EXIF", &camera_exif(6, true)));
        let size = (with_exif.len() - 8) as u32;
        with_exif[4..8].copy_from_slice(&size.to_le_bytes());
        assert!(analyze(&with_exif).unwrap().location.is_some());

        let clean = strip_metadata(&with_exif).unwrap();
        assert_eq!(kinds(&clean), ["VP8X", "VP8L", "EXIF"]);
        let expected_flags = if alpha {
            WEBP_EXIF | WEBP_ALPHA
        } else {
            WEBP_EXIF
        };
        assert_eq!(webp_flags(&clean), Some(expected_flags));
        let vp8x = &webp_chunks(&clean)[0].1;
        assert_eq!(vp8x[4..7], (w - 1).to_le_bytes()[..3]);
        assert_eq!(vp8x[7..10], (h - 1).to_le_bytes()[..3]);
        assert_eq!(webp_orientation(&clean), Some(6));
        assert_eq!(webp_image_data(&clean), webp_image_data(&simple));
        assert_eq!(decode_webp(&clean), decode_webp(&simple), "pixels changed");
        assert!(analyze(&clean).unwrap().findings.is_empty());
        assert_riff_size(&clean);
        assert_eq!(strip_metadata(&clean).unwrap(), clean, "not idempotent");

        // Orientation 1 needs nothing: the clean copy is the plain simple file.
        let mut upright = simple.clone();
        upright.extend_from_slice(&webp_chunk(b"EXIF", &camera_exif(1, false)));
        let size = (upright.len() - 8) as u32;
        upright[4..8].copy_from_slice(&size.to_le_bytes());
        assert_eq!(strip_metadata(&upright).unwrap(), simple);
    }
}

#[test]
fn animation_chunks_are_kept_in_order() {
    // ANIM and ANMF are copied byte for byte (the frame payload is the simple file's VP8L).
    let frame_vp8l = vp8l_of(&gradient_webp(8, 8, true));
    let mut anmf = vec![0; 6]; // frame x, y / 2
    anmf.extend_from_slice(&7u32.to_le_bytes()[..3]); // width - 1
    anmf.extend_from_slice(&7u32.to_le_bytes()[..3]); // height - 1
    anmf.extend_from_slice(&[100, 0, 0, 0]); // duration, flags
    anmf.extend_from_slice(&frame_vp8l);
    let webp = webp_file(&[
        vp8x_chunk(WEBP_ANIMATION | WEBP_ALPHA | WEBP_XMP, 8, 8),
        webp_chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]),
        webp_chunk(b"ANMF", &anmf),
        webp_chunk(b"ANMF", &anmf),
        webp_chunk(b"XMP ", XMP_PACKET.as_bytes()),
    ]);
    let clean = strip_metadata(&webp).unwrap();
    assert_eq!(kinds(&clean), ["VP8X", "ANIM", "ANMF", "ANMF"]);
    assert_eq!(webp_flags(&clean), Some(WEBP_ANIMATION | WEBP_ALPHA));
    assert_eq!(webp_image_data(&clean), webp_image_data(&webp));
    assert_eq!(
        clean[..],
        webp[..clean.len()]
            .iter()
            .copied()
            .enumerate()
            .map(|(i, b)| {
                // Only the RIFF size and the flags byte differ from the original's prefix.
                if (4..8).contains(&i) || i == 20 {
                    clean[i]
                } else {
                    b
                }
            })
            .collect::<Vec<u8>>()[..]
    );
    assert_riff_size(&clean);
}

#[test]
fn cleaning_a_clean_webp_changes_nothing() {
    for alpha in [false, true] {
        let webp = gradient_webp(20, 10, alpha);
        assert_eq!(strip_metadata(&webp).unwrap(), webp);
    }
}
