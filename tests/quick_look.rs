//! The quick look's copy of a JPEG, decoded at reduced size (DCT scaling): the same picture as a
//! full decode scaled down, upright, within limits; grey JPEGs too; what it cannot read (CMYK)
//! is refused with a code and decoded whole by the other paths; bad bytes never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use sentinelle::vision::faces::upright_copy;
use sentinelle::vision::orient::Orient;
use sentinelle::vision::{detect_faces, jpeg_quick_look, look, QuickLook};
use sentinelle::ErrorCode;

/// Mean absolute difference between two RGBA pictures of the same size.
fn difference(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.len() as f64
}

/// The full-size decode of `jpeg`, scaled down to `side` as the other paths do, as RGBA.
fn full_decode_copy(jpeg: &[u8], orient: u8, side: u32) -> (u32, u32, Vec<u8>) {
    let (w, h, rgb) = decode_pixels(jpeg).unwrap();
    let (copy, _) = upright_copy(&rgb, w, h, 3, Orient(orient), side).unwrap();
    let rgba = copy
        .rgb
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    (copy.width, copy.height, rgba)
}

/// The quick look of `jpeg` (stored with EXIF orientation `orient`), and its mean difference
/// from the full decode scaled down, which must come out the same size.
fn look_beside_full_decode(jpeg: &[u8], orient: u8) -> (QuickLook, f64) {
    let look = jpeg_quick_look(jpeg).unwrap();
    let (w, h, full) = full_decode_copy(jpeg, orient, 640);
    assert_eq!((w, h), (look.width, look.height));
    let mean = difference(&look.rgba, &full);
    (look, mean)
}

#[test]
fn a_large_jpeg_gives_the_same_picture_as_a_full_decode_scaled_down() {
    // 2816×2112 decodes at 1/4 (704×528), then is scaled to 640×480.
    let jpeg = jpeg_bytes(&photo_like(2816, 2112, 7), 92);
    let (look, mean) = look_beside_full_decode(&jpeg, 1);
    assert_eq!((look.width, look.height), (640, 480));
    assert_eq!((look.photo_width, look.photo_height), (2816, 2112));
    assert_eq!(look.rgba.len(), 640 * 480 * 4);
    assert!(look.rgba.chunks_exact(4).all(|p| p[3] == 255));
    assert!(mean < 2.0, "mean difference {mean}");
    // And not by accident: another photo differs by far more.
    let other = full_decode_copy(&jpeg_bytes(&photo_like(2816, 2112, 8), 92), 1, 640).2;
    assert!(difference(&look.rgba, &other) > 10.0);
}

#[test]
fn a_small_jpeg_is_decoded_at_full_size_and_not_enlarged() {
    let jpeg = jpeg_bytes(&photo_like(500, 300, 3), 90);
    let (look, mean) = look_beside_full_decode(&jpeg, 1);
    assert_eq!((look.width, look.height), (500, 300));
    assert_eq!((look.photo_width, look.photo_height), (500, 300));
    assert!(mean < 1.5, "mean difference {mean}");
}

#[test]
fn the_copy_is_upright_when_the_photo_is_stored_sideways() {
    // Stored 1600×1200 with orientation 6: shown 1200×1600 (turned 90° clockwise).
    let jpeg = insert_segments(
        &jpeg_bytes(&photo_like(1600, 1200, 11), 92),
        1,
        &[exif_segment(&camera_exif(6, true))],
    );
    let (look, mean) = look_beside_full_decode(&jpeg, 6);
    assert_eq!((look.width, look.height), (480, 640));
    assert_eq!((look.photo_width, look.photo_height), (1200, 1600));
    assert!(mean < 2.0, "mean difference {mean}");
    // Read the wrong way round, it would not match.
    let (_, _, unturned) = full_decode_copy(&jpeg, 8, 640);
    assert!(difference(&look.rgba, &unturned) > 10.0);
}

#[test]
fn a_grey_jpeg_gives_grey_pixels() {
    let rgb = photo_like(900, 600, 5);
    let grey = image::DynamicImage::ImageRgb8(rgb).to_luma8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode(grey.as_raw(), 900, 600, image::ExtendedColorType::L8)
        .unwrap();
    let look = jpeg_quick_look(&jpeg).unwrap();
    assert_eq!((look.width, look.height), (640, 427));
    assert!(look
        .rgba
        .chunks_exact(4)
        .all(|p| p[0] == p[1] && p[1] == p[2]));
    assert!(look.rgba.chunks_exact(4).any(|p| p[0] != look.rgba[0]));
}

/// An 8×8 baseline JPEG with four components and no Adobe marker (CMYK), written by hand:
/// every block's only coefficient is a DC difference of 0, so each channel is mid grey.
fn cmyk_jpeg() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xDB, &[&[0u8][..], &[1u8; 64][..]].concat()));
    // SOF0: 8-bit, 8×8, four components (ids 1-4), each 1×1 sampled, quantisation table 0.
    let mut sof = vec![8, 0, 8, 0, 8, 4];
    for id in 1..=4 {
        sof.extend([id, 0x11, 0]);
    }
    out.extend(segment(0xC0, &sof));
    // One DC table and one AC table, each with a single 1-bit code for symbol 0.
    let table = |class: u8| {
        let mut t = vec![class << 4, 1];
        t.extend([0u8; 15]);
        t.push(0);
        t
    };
    out.extend(segment(0xC4, &[table(0), table(1)].concat()));
    let mut sos = vec![4];
    for id in 1..=4 {
        sos.extend([id, 0x00]);
    }
    sos.extend([0, 63, 0]);
    out.extend(segment(0xDA, &sos));
    // Four blocks of "DC difference 0" then "end of block": eight 0 bits.
    out.push(0x00);
    out.extend([0xFF, 0xD9]);
    out
}

#[test]
fn a_cmyk_jpeg_is_refused_here_and_decoded_whole_elsewhere() {
    let jpeg = cmyk_jpeg();
    assert!(
        decode_pixels(&jpeg).is_some(),
        "the fixture is a JPEG the image crate reads"
    );
    let error = jpeg_quick_look(&jpeg).err().unwrap();
    assert_eq!(
        error.code(),
        ErrorCode::UnsupportedFormat,
        "{}",
        error.message()
    );
    // The CLI's and the library's looks fall back to the full decode.
    let report = detect_faces(&jpeg).unwrap();
    assert_eq!((report.width, report.height), (8, 8));
    assert!(look(&jpeg).is_ok());
}

/// A small JPEG whose frame header is changed: its marker (SOF0 baseline, SOF2 progressive,
/// SOF3 lossless) and its size.
fn with_frame(marker: u8, width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = jpeg_bytes(&photo_like(64, 48, 1), 90);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 1] = marker;
    // SOF payload: length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    if marker == 0xC3 {
        // A lossless frame has no quantisation: every component names table 0.
        for c in 0..usize::from(jpeg[sof + 9]) {
            jpeg[sof + 12 + 3 * c] = 0;
        }
        // Its scan header names a predictor (1) where a DCT one names its first frequency (0),
        // and ends at 0.
        let sos = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let at = sos + 5 + 2 * usize::from(jpeg[sos + 4]);
        jpeg[at..at + 2].copy_from_slice(&[1, 0]);
    }
    jpeg
}

#[test]
fn a_header_beyond_the_limits_is_refused_before_decoding() {
    for (marker, side, code) in [
        // Wider than any camera.
        (0xC0, 60_000, ErrorCode::TooLarge),
        // A progressive 60 MP photo would hold 360 MB of frequencies while it is decoded.
        (0xC2, 9_000, ErrorCode::TooLarge),
        // Lossless JPEGs are not scaled by the decoder: refused rather than misread.
        (0xC3, 64, ErrorCode::UnsupportedFormat),
    ] {
        let jpeg = with_frame(marker, side, (u32::from(side) * 3 / 4) as u16);
        let error = jpeg_quick_look(&jpeg).err().unwrap();
        assert_eq!(error.code(), code, "{marker:X} {side}: {}", error.message());
    }
    // Within the limits: a progressive 12 MP header, and a baseline 60 MP one (decoded a row of
    // blocks at a time, so it holds no full-size buffer). Their data then runs short, which the
    // decoder may report or fill in, but size is not why they stop.
    for (marker, side) in [(0xC2, 4000), (0xC0, 9_000)] {
        let answer = jpeg_quick_look(&with_frame(marker, side, (u32::from(side) * 3 / 4) as u16));
        assert_ne!(
            answer.err().map(|e| e.code()),
            Some(ErrorCode::TooLarge),
            "{marker:X} {side}"
        );
    }
}

#[test]
fn what_is_not_a_whole_jpeg_gets_a_code() {
    let jpeg = jpeg_bytes(&photo_like(320, 240, 2), 90);
    for (bytes, code) in [
        (&b""[..], ErrorCode::UnsupportedFormat),
        (&b"\x89PNG\r\n\x1a\n"[..], ErrorCode::UnsupportedFormat),
        (&jpeg[..jpeg.len() / 2], ErrorCode::Truncated),
    ] {
        let error = jpeg_quick_look(bytes).err().unwrap();
        assert_eq!(error.code(), code, "{}", error.message());
    }
}

/// Never a panic: a generated JPEG cut at every 97th byte and with bytes changed in its scan,
/// and every corpus JPEG cut at 16 points.
#[test]
fn bad_and_truncated_jpegs_never_panic() {
    let jpeg = jpeg_bytes(&photo_like(400, 300, 9), 85);
    for end in (0..jpeg.len()).step_by(97) {
        let _ = jpeg_quick_look(&jpeg[..end]);
    }
    let scan = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap() + 20;
    for at in (scan..jpeg.len() - 2).step_by(211) {
        let mut bad = jpeg.clone();
        bad[at] ^= 0x5A;
        if let Ok(look) = jpeg_quick_look(&bad) {
            assert_eq!(look.rgba.len(), (look.width * look.height * 4) as usize);
        }
    }
    let Some(dir) = corpus_dir() else {
        eprintln!("note: no ../shared/corpus; corpus part skipped");
        return;
    };
    let files = files_under(&dir, &["jpg", "jpeg"]);
    let mut read = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        if let Ok(look) = jpeg_quick_look(&bytes) {
            assert!(look.width.max(look.height) <= 640, "{}", path.display());
            assert!(look.photo_width >= look.width, "{}", path.display());
            read += 1;
        }
        for i in 1..16 {
            let _ = jpeg_quick_look(&bytes[..bytes.len() * i / 16]);
        }
    }
    assert!(
        read * 10 >= files.len() * 9,
        "{read} of {} read",
        files.len()
    );
}

/// Faces in a photo too large for the quick look are found where they are: the boxes, scaled
/// back from the reduced decode, land on the same faces as in the photo at a quarter the size.
#[test]
fn faces_in_a_large_jpeg_are_placed_in_its_own_pixels() {
    let group = group_photo();
    let (w, h) = (group.width(), group.height());
    let large = image::imageops::resize(group, w * 4, h * 4, image::imageops::FilterType::Triangle);
    let small = detect_faces(&jpeg_bytes(group, 95)).unwrap();
    let big = detect_faces(&jpeg_bytes(&large, 92)).unwrap();
    assert_eq!((big.width, big.height), (w * 4, h * 4));
    assert!(small.faces.len() >= 10, "{}", small.faces.len());
    let matched = small
        .faces
        .iter()
        .filter(|s| {
            big.faces.iter().any(|b| {
                let centre = |x: u32, side: u32| f64::from(x) + f64::from(side) / 2.0;
                (centre(b.x, b.width) - 4.0 * centre(s.x, s.width)).abs() < f64::from(s.width)
                    && (centre(b.y, b.height) - 4.0 * centre(s.y, s.height)).abs()
                        < f64::from(s.height)
                    && (f64::from(b.width) / (4.0 * f64::from(s.width)) - 1.0).abs() < 0.3
            })
        })
        .count();
    // Faces near the detector's smallest size come and go between two encodings; misplaced
    // boxes would match none.
    assert!(
        matched * 10 >= small.faces.len() * 6,
        "{matched} of {} faces found again",
        small.faces.len()
    );
}
