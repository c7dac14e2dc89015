//! Faces: the detector answers what TensorFlow Lite answers; faces found where they are (a photo
//! that ships in the rustface crate, the 1927 Solvay conference, public domain), in any
//! orientation; none in faceless photos; blurring removes them
//! for good and the blurred copy carries no metadata but its colour profile and orientation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use sentinelle::vision::nn::Map;
use sentinelle::vision::{
    blazeface, blur_faces, crop_faces, detect_faces, detect_faces_rgba, detect_faces_with, Detail,
    Face,
};

fn overlaps(a: &Face, b: &Face) -> bool {
    let ix = (a.x + a.width)
        .min(b.x + b.width)
        .saturating_sub(a.x.max(b.x));
    let iy = (a.y + a.height)
        .min(b.y + b.height)
        .saturating_sub(a.y.max(b.y));
    let inter = f64::from(ix * iy);
    inter / f64::from(a.width * a.height).min(f64::from(b.width * b.height)) > 0.5
}

fn inside(a: &sentinelle::vision::crop::Rect, b: &sentinelle::vision::crop::Rect) -> bool {
    a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height
}

/// The photo stored turned 90° counter-clockwise, with EXIF orientation 6 to show it upright.
fn stored_sideways(upright: &image::RgbImage) -> Vec<u8> {
    let sideways = image::imageops::rotate270(upright);
    let jpeg = jpeg_bytes(&sideways, 92);
    insert_segments(&jpeg, 1, &[exif_segment(&camera_exif(6, true))])
}

#[test]
fn the_face_model_is_the_pinned_conversion() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/models/blazeface/");
    for (file, sha) in [
        (
            "model.json",
            "a949b2f46ef2e27d866549fb97ea5543f60395a611cb309e097ad105ca427b57",
        ),
        (
            "weights.bin",
            "8e44dc79c01a97851a16d8ba160af1ff35c59712617a516187a91624e9519157",
        ),
    ] {
        let bytes = std::fs::read(format!("{dir}{file}")).unwrap();
        assert_eq!(sentinelle::sha256_hex(&bytes), sha, "{file}");
    }
}

/// The engine's interpreter answers what TensorFlow Lite itself answers on the same input
/// (models/blazeface/reference.json, written by scripts/convert-blazeface.py --reference): every
/// anchor's score, and the boxes of the best anchors.
#[test]
fn the_detector_answers_what_tensorflow_lite_answers() {
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/blazeface/reference.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (x0, y0) = (
        reference["crop"][0].as_u64().unwrap() as u32,
        reference["crop"][1].as_u64().unwrap() as u32,
    );
    let crop = image::imageops::crop_imm(group_photo(), x0, y0, 192, 192).to_image();
    let input = Map {
        h: 192,
        w: 192,
        c: 3,
        data: crop
            .as_raw()
            .iter()
            .map(|&v| f32::from(v) / 127.5 - 1.0)
            .collect(),
    };
    let answer = blazeface::network().unwrap().run(input).unwrap();
    let want: Vec<f64> = reference["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(answer.scores.len(), want.len());
    let worst = answer
        .scores
        .iter()
        .zip(&want)
        .map(|(a, b)| (f64::from(*a) - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 2e-3, "largest score difference {worst}");
    for (anchor, values) in reference["boxes"].as_object().unwrap() {
        let i: usize = anchor.parse().unwrap();
        for (j, v) in values.as_array().unwrap().iter().enumerate() {
            let got = f64::from(answer.boxes[i * 16 + j]);
            assert!(
                (got - v.as_f64().unwrap()).abs() < 2e-2,
                "anchor {i} value {j}: {got} vs {v}"
            );
        }
    }
}

#[test]
fn finds_the_faces_of_a_group_photo_where_they_are() {
    let photo = png_bytes(group_photo());
    // 29 people face the camera, faces 45–65 px in a 1666 px photo (3–4 % of its width): the
    // close look finds nearly all of them.
    let close = detect_faces_with(&photo, Detail::Thorough).unwrap();
    assert_eq!((close.width, close.height), (1666, 1136));
    assert!(
        (24..=31).contains(&close.faces.len()),
        "{}",
        close.faces.len()
    );
    for f in &close.faces {
        assert!(f.x + f.width <= 1666 && f.y + f.height <= 1136);
        assert!(
            (35..=130).contains(&f.width) && (35..=130).contains(&f.height),
            "{f:?}"
        );
        assert!(
            !f.reusable,
            "faces this small in a group photo are under the reuse size: {f:?}"
        );
    }
    for (i, a) in close.faces.iter().enumerate() {
        for b in &close.faces[i + 1..] {
            assert!(!overlaps(a, b), "one box per face: {a:?} {b:?}");
        }
    }
    // The warning's quick look sees faces this small only in part, and real ones: nearly all
    // are faces the close look found too (faces scoring near the threshold may differ).
    let quick = detect_faces(&photo).unwrap();
    assert!(quick.faces.len() >= 8, "{}", quick.faces.len());
    let seen = quick
        .faces
        .iter()
        .filter(|f| close.faces.iter().any(|c| overlaps(c, f)))
        .count();
    assert!(
        seen + 2 >= quick.faces.len(),
        "{seen} of {}",
        quick.faces.len()
    );
}

#[test]
fn a_sideways_photo_gives_the_same_upright_boxes() {
    let photo = group_photo();
    let upright = detect_faces_with(&jpeg_bytes(photo, 92), Detail::Thorough).unwrap();
    let sideways = detect_faces_with(&stored_sideways(photo), Detail::Thorough).unwrap();
    assert_eq!(
        (sideways.width, sideways.height),
        (1666, 1136),
        "sizes are upright"
    );
    let matched = upright
        .faces
        .iter()
        .filter(|a| sideways.faces.iter().any(|b| overlaps(a, b)))
        .count();
    assert!(
        matched + 2 >= upright.faces.len(),
        "{matched} of {}",
        upright.faces.len()
    );
}

#[test]
fn a_close_face_is_reusable_and_its_blurred_copy_is_not_a_face() {
    // A portrait: one face of the group, cropped and enlarged 3× with a sharp filter.
    let photo = group_photo();
    let face = detect_faces(&png_bytes(photo)).unwrap().faces[0];
    let crop = image::imageops::crop_imm(
        photo,
        face.x.saturating_sub(60),
        face.y.saturating_sub(60),
        face.width + 120,
        face.height + 140,
    )
    .to_image();
    let portrait = image::imageops::resize(
        &crop,
        crop.width() * 3,
        crop.height() * 3,
        image::imageops::FilterType::CatmullRom,
    );
    let report = detect_faces(&jpeg_bytes(&portrait, 95)).unwrap();
    // Faces come largest first: the enlarged face, then neighbours cut by the crop.
    let main = report.faces[0];
    assert!(main.width >= 150, "{main:?}");
    assert!(main.reusable, "{main:?}");
    // The same face, blurred: not found any more.
    let (blurred, _) = blur_faces(&jpeg_bytes(&portrait, 95)).unwrap();
    let after = detect_faces(&blurred).unwrap();
    assert!(
        after.faces.iter().all(|f| !overlaps(f, &main)),
        "{:?}",
        after.faces
    );
}

#[test]
fn blurring_removes_every_face_and_keeps_only_profile_and_orientation() {
    let photo = group_photo();
    let original = insert_segments(
        &stored_sideways(photo),
        1,
        &[icc_segment(&fake_icc_profile())],
    );
    let (blurred, report) = blur_faces(&original).unwrap();
    assert!(report.faces.len() >= 24, "{}", report.faces.len());
    let after = detect_faces_with(&blurred, Detail::Thorough).unwrap();
    assert!(after.faces.is_empty(), "faces left: {:?}", after.faces);
    // Same size, still a JPEG, shown the same way up, same colour profile, nothing else.
    let analysis = sentinelle::analyze(&blurred).unwrap();
    assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
    assert_eq!(orientation_of(&blurred), Some(6));
    let icc: Vec<u8> = segments(&blurred)
        .into_iter()
        .filter(|(m, p)| *m == 0xE2 && p.starts_with(b"ICC_PROFILE\0"))
        .flat_map(|(_, p)| p[14..].to_vec())
        .collect();
    assert_eq!(icc, fake_icc_profile());
    let (w, h, _) = decode_pixels(&blurred).unwrap();
    assert_eq!((w, h), (1136, 1666), "stored size unchanged");
    // Away from the faces, the photo is the same picture (one JPEG generation apart).
    let (_, _, before_px) = decode_pixels(&original).unwrap();
    let (_, _, after_px) = decode_pixels(&blurred).unwrap();
    let corner_diff: u64 = (0..40)
        .flat_map(|y| (0..40).map(move |x| (y * w as usize + x) * 3))
        .map(|i| u64::from(before_px[i].abs_diff(after_px[i])))
        .sum();
    assert!(corner_diff / 1600 < 4, "corner changed by {corner_diff}");
    // And the input was not touched.
    assert_eq!(
        original,
        insert_segments(
            &stored_sideways(photo),
            1,
            &[icc_segment(&fake_icc_profile())]
        )
    );
}

/// A selfie-like photo (upright 900×1600): one large face from the group photo near the top, a
/// faceless picture below it.
fn selfie() -> image::RgbImage {
    let photo = group_photo();
    let face = detect_faces(&png_bytes(photo)).unwrap().faces[0];
    let head = image::imageops::crop_imm(
        photo,
        face.x.saturating_sub(40),
        face.y.saturating_sub(40),
        face.width + 80,
        face.height + 80,
    )
    .to_image();
    let head = image::imageops::resize(&head, 450, 450, image::imageops::FilterType::CatmullRom);
    let mut canvas = photo_like(900, 1600, 3);
    image::imageops::replace(&mut canvas, &head, 225, 80);
    canvas
}

#[test]
fn cropping_keeps_the_part_below_the_face_without_any_face_or_metadata() {
    let upright = selfie();
    let before = detect_faces(&png_bytes(&upright)).unwrap();
    assert!(
        before.faces.iter().any(|f| f.reusable),
        "{:?}",
        before.faces
    );
    let offered = before.crop.expect("a crop is offered");
    // Stored sideways with orientation 6, an ICC profile and camera EXIF (GPS, serial).
    let original = insert_segments(
        &stored_sideways(&upright),
        1,
        &[icc_segment(&fake_icc_profile())],
    );
    let (cropped, kept) = crop_faces(&original).unwrap();
    // The engine looks again more closely before cropping; the part it keeps is the offered
    // one, or inside it.
    assert!(inside(&kept, &offered), "{kept:?} in {offered:?}");
    assert!(kept.y >= 80 + 300, "below the face: {kept:?}");
    assert_eq!((kept.x, kept.width), (0, 900), "the whole width: {kept:?}");
    // No face left, no metadata but the colour profile, stored upright at the kept size.
    assert!(detect_faces(&cropped).unwrap().faces.is_empty());
    let analysis = sentinelle::analyze(&cropped).unwrap();
    assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
    assert_eq!(orientation_of(&cropped), None);
    let icc: Vec<u8> = segments(&cropped)
        .into_iter()
        .filter(|(m, p)| *m == 0xE2 && p.starts_with(b"ICC_PROFILE\0"))
        .flat_map(|(_, p)| p[14..].to_vec())
        .collect();
    assert_eq!(icc, fake_icc_profile());
    let (w, h, px) = decode_pixels(&cropped).unwrap();
    assert_eq!((w, h), (kept.width, kept.height));
    // The kept part is the same picture (two JPEG generations apart).
    let diff: u64 = (0..h as usize)
        .step_by(7)
        .flat_map(|y| (0..w as usize).step_by(7).map(move |x| (x, y)))
        .map(|(x, y)| {
            let a = upright.get_pixel(kept.x + x as u32, kept.y + y as u32).0;
            let i = (y * w as usize + x) * 3;
            (0..3)
                .map(|c| u64::from(a[c].abs_diff(px[i + c])))
                .sum::<u64>()
        })
        .sum();
    let samples = ((h as u64).div_ceil(7)) * ((w as u64).div_ceil(7)) * 3;
    assert!(diff / samples < 6, "mean difference {}", diff / samples);
}

#[test]
fn a_group_photo_crops_to_the_rows_below_the_faces_and_a_faceless_one_not_at_all() {
    // The Solvay photo's 29 faces are all in its upper third; below them, no face.
    let group = png_bytes(group_photo());
    let report = detect_faces(&group).unwrap();
    let offered = report.crop.expect("the part below the faces");
    let lowest_face = report.faces.iter().map(|f| f.y + f.height).max().unwrap();
    assert!(offered.y >= lowest_face, "{offered:?} vs {lowest_face}");
    let (cropped, kept) = crop_faces(&group).unwrap();
    assert!(inside(&kept, &offered), "{kept:?} in {offered:?}");
    assert!(detect_faces_with(&cropped, Detail::Thorough)
        .unwrap()
        .faces
        .is_empty());
    // Nothing to crop away: a clear error code, for the guard to branch on.
    let plain = jpeg_bytes(&photo_like(640, 480, 7), 90);
    assert!(detect_faces(&plain).unwrap().crop.is_none());
    assert_eq!(
        crop_faces(&plain).unwrap_err().code().as_str(),
        "invalid-input"
    );
}

#[test]
fn a_photo_without_faces_gets_the_lossless_strip_from_the_blur() {
    // Camera EXIF (GPS, serial), no face: the person chose a fix, so the metadata still goes,
    // and the pixels stay as they are.
    let camera = insert_segments(
        &jpeg_bytes(&photo_like(640, 480, 7), 90),
        1,
        &[exif_segment(&camera_exif(1, true))],
    );
    assert!(detect_faces(&camera).unwrap().faces.is_empty());
    assert!(!sentinelle::analyze(&camera).unwrap().findings.is_empty());
    let (out, report) = blur_faces(&camera).unwrap();
    assert!(report.faces.is_empty());
    assert_eq!(out, sentinelle::strip_metadata(&camera).unwrap());
    assert!(sentinelle::analyze(&out).unwrap().findings.is_empty());
    let plain = jpeg_bytes(&photo_like(640, 480, 7), 90);
    assert_eq!(
        blur_faces(&plain).unwrap().0,
        plain,
        "nothing to remove: the same bytes"
    );
    // Tiny images cannot hold a face the detector could see.
    assert!(detect_faces(&png_bytes(&photo_like(8, 8, 1)))
        .unwrap()
        .faces
        .is_empty());
}

#[test]
fn no_face_in_the_corpus_faceless_photos() {
    let Some(dir) = corpus_dir() else {
        eprintln!("note: no ../shared/corpus; skipped");
        return;
    };
    let files = files_under(&dir.join("pdq"), &["png"]);
    let mut checked = 0;
    for path in &files {
        if let Ok(report) = detect_faces(&std::fs::read(path).unwrap()) {
            assert!(
                report.faces.is_empty(),
                "{}: {:?}",
                path.display(),
                report.faces
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn getting_the_networks_ready_changes_nothing_they_find() {
    // The guard prepares the networks while the person chooses a photo; a look before and after
    // must give the same boxes and the same nudity score.
    let photo = group_photo();
    let small = image::imageops::resize(photo, 640, 436, image::imageops::FilterType::Triangle);
    let rgba = image::DynamicImage::ImageRgb8(small).to_rgba8();
    let before = detect_faces_rgba(rgba.as_raw(), 640, 436, 1666, 1136).unwrap();
    let nude_before = sentinelle::vision::detect_nudity_rgba(rgba.as_raw(), 640, 436).unwrap();
    sentinelle::vision::prepare(true, true).unwrap();
    sentinelle::vision::prepare(false, false).unwrap();
    let after = detect_faces_rgba(rgba.as_raw(), 640, 436, 1666, 1136).unwrap();
    let nude_after = sentinelle::vision::detect_nudity_rgba(rgba.as_raw(), 640, 436).unwrap();
    assert!(before.faces.len() >= 8, "{}", before.faces.len());
    assert_eq!(
        serde_json::to_string(&before).unwrap(),
        serde_json::to_string(&after).unwrap()
    );
    assert_eq!(nude_before.score.to_bits(), nude_after.score.to_bits());
}

#[test]
fn pixels_from_the_browser_give_boxes_in_photo_pixels() {
    // The guard hands over an upright RGBA copy the browser scaled down; boxes come back in the
    // photo's own pixels.
    let photo = group_photo();
    let small = image::imageops::resize(photo, 833, 568, image::imageops::FilterType::Triangle);
    let rgba = image::DynamicImage::ImageRgb8(small).to_rgba8();
    let report = detect_faces_rgba(rgba.as_raw(), 833, 568, 1666, 1136).unwrap();
    let full = detect_faces_with(&png_bytes(photo), Detail::Thorough).unwrap();
    assert_eq!((report.width, report.height), (1666, 1136));
    assert!(report.faces.len() >= 8, "{}", report.faces.len());
    // Boxes land on faces the close look at the photo itself found (boxes scaled wrongly would
    // land on none); faces scoring near the threshold may differ.
    let matched = report
        .faces
        .iter()
        .filter(|a| full.faces.iter().any(|b| overlaps(a, b)))
        .count();
    assert!(
        matched + 2 >= report.faces.len(),
        "{matched} of {}",
        report.faces.len()
    );
    assert!(
        detect_faces_rgba(&[0; 12], 2, 2, 2, 2).is_err(),
        "pixels must match the size"
    );
}

#[test]
fn bad_files_get_coded_errors() {
    let jpeg = jpeg_bytes(&photo_like(200, 150, 3), 90);
    assert_eq!(
        detect_faces(&jpeg[..jpeg.len() / 2])
            .unwrap_err()
            .code()
            .as_str(),
        "truncated"
    );
    assert_eq!(
        detect_faces(b"GIF89a\x01\0\x01\0")
            .unwrap_err()
            .code()
            .as_str(),
        "unsupported-format"
    );
    assert_eq!(
        blur_faces(b"").unwrap_err().code().as_str(),
        "unsupported-format"
    );
}

#[test]
fn nudity_is_not_flagged_on_ordinary_photos() {
    use sentinelle::vision::detect_nudity;
    // Generated scenes, the group photo, and (when present) every corpus photo: none is nude.
    let mut scores = Vec::new();
    let mut photos: Vec<(String, Vec<u8>)> = vec![
        ("group".into(), png_bytes(group_photo())),
        ("scene".into(), jpeg_bytes(&photo_like(640, 480, 11), 90)),
        ("sideways group".into(), stored_sideways(group_photo())),
    ];
    if let Some(dir) = corpus_dir() {
        for path in files_under(&dir, &["jpg", "jpeg", "png"]) {
            photos.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for (name, bytes) in &photos {
        if let Ok(n) = detect_nudity(bytes) {
            assert!(!n.flagged, "{name}: {n:?}");
            let sum = n.classes.drawing
                + n.classes.hentai
                + n.classes.neutral
                + n.classes.porn
                + n.classes.sexy;
            assert!(
                (sum - 1.0).abs() < 1e-3,
                "{name}: probabilities sum to {sum}"
            );
            scores.push(n.score);
        }
    }
    assert!(scores.len() >= 3);
    let worst = scores.iter().copied().fold(0.0f32, f32::max);
    eprintln!("nudity: {} photos, highest score {worst:.3}", scores.len());
}
