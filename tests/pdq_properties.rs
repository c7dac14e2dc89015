//! PDQ on generated images (no corpus needed): edits that keep the picture keep the hash within
//! the match threshold, unrelated pictures do not match, the dihedral hashes track real
//! rotations, tiny images get the reference's zero hash, EXIF orientation is applied, and the
//! digests are the standard ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use image::imageops::{self, FilterType};
use image::{DynamicImage, RgbImage, RgbaImage};
use sentinelle::{
    hash_image, md5_hex, pdq_distance, pdq_from_rgb, sha256_hex, Dihedral, ErrorCode, PdqHash,
    PdqResult, PDQ_MATCH_THRESHOLD,
};

fn pdq(image: &RgbImage) -> PdqResult {
    pdq_from_rgb(image.width(), image.height(), image.as_raw()).unwrap()
}

fn pdq_of_file(bytes: &[u8]) -> PdqHash {
    PdqHash::from_hex(&hash_image(bytes).unwrap().pdq.unwrap().hash).unwrap()
}

#[test]
fn a_generated_photo_has_a_known_hash() {
    let hashes = hash_image(&png_bytes(&photo_like(320, 240, 7))).unwrap();
    assert_eq!(hashes.pdq.unwrap().hash, KNOWN_PHOTO_PDQ);
}

#[test]
fn resized_copies_match() {
    for seed in 1..=3 {
        let photo = photo_like(640, 480, seed);
        let original = pdq(&photo).hash;
        for (width, height, filter) in [
            (320, 240, FilterType::Triangle),
            (200, 150, FilterType::Lanczos3),
            (1280, 960, FilterType::CatmullRom),
        ] {
            let resized = imageops::resize(&photo, width, height, filter);
            let d = original.distance(&pdq(&resized).hash);
            // Measured: 2 to 16 bits.
            assert!(
                d <= PDQ_MATCH_THRESHOLD,
                "seed {seed}, {width}x{height}: {d} bits"
            );
        }
    }
}

#[test]
fn jpeg_copies_match() {
    for seed in 1..=3 {
        let photo = photo_like(640, 480, seed);
        let original = pdq(&photo).hash;
        for quality in [80, 50] {
            let d = original.distance(&pdq_of_file(&jpeg_bytes(&photo, quality)));
            // Measured: 2 to 4 bits.
            assert!(
                d <= PDQ_MATCH_THRESHOLD,
                "seed {seed}, q{quality}: {d} bits"
            );
        }
    }
}

#[test]
fn lightly_blurred_copies_match() {
    for seed in 1..=3 {
        let photo = photo_like(640, 480, seed);
        let original = pdq(&photo).hash;
        for sigma in [1.0, 2.5] {
            let d = original.distance(&pdq(&imageops::blur(&photo, sigma)).hash);
            // Measured: 0 to 2 bits (PDQ itself blurs before it looks).
            assert!(
                d <= PDQ_MATCH_THRESHOLD,
                "seed {seed}, sigma {sigma}: {d} bits"
            );
        }
    }
}

#[test]
fn unrelated_photos_do_not_match() {
    let hashes: Vec<PdqHash> = (1..=10)
        .map(|seed| pdq(&photo_like(640, 480, seed)).hash)
        .collect();
    for (i, a) in hashes.iter().enumerate() {
        for (j, b) in hashes.iter().enumerate().skip(i + 1) {
            // Unrelated hashes differ in about half their 256 bits; measured at least 112.
            let d = a.distance(b);
            assert!(d > 2 * PDQ_MATCH_THRESHOLD, "seeds {i} and {j}: {d} bits");
        }
    }
}

#[test]
fn dihedral_hashes_track_real_rotations_and_flips() {
    for seed in 1..=4 {
        let photo = photo_like(400 + 37 * seed, 300 + 11 * seed, u64::from(seed));
        let result = pdq(&photo);
        let image = DynamicImage::ImageRgb8(photo);
        // What each variant means, in the image crate's terms (rotate90 is clockwise).
        let actual = [
            (Dihedral::Original, image.clone()),
            (Dihedral::Rotate90, image.rotate270()),
            (Dihedral::Rotate180, image.rotate180()),
            (Dihedral::Rotate270, image.rotate90()),
            (Dihedral::FlipX, image.flipv()),
            (Dihedral::FlipY, image.fliph()),
            (Dihedral::FlipPlus1, image.rotate90().fliph()),
            (Dihedral::FlipMinus1, image.rotate270().fliph()),
        ];
        for (which, turned) in actual {
            let d = result.variant(which).distance(&pdq(&turned.to_rgb8()).hash);
            // Not exact (the downscaling grid does not turn with the picture); measured at
            // most 18 bits, and 0 for the original and the transpose.
            assert!(d <= 20, "seed {seed}, {which:?}: {d} bits");
        }
        assert_eq!(result.dihedral[0], result.hash);
    }
}

#[test]
fn images_under_five_pixels_get_the_zero_hash() {
    let zero = "0".repeat(64);
    for (width, height) in [(4, 100), (100, 4), (1, 1), (0, 0), (4, 4)] {
        let rgb = vec![128u8; (width * height * 3) as usize];
        let result = pdq_from_rgb(width, height, &rgb).unwrap();
        assert_eq!(result.hash.to_hex(), zero, "{width}x{height}");
        assert_eq!(result.quality, 0);
        assert!(result.dihedral.iter().all(|h| *h == PdqHash::ZERO));
    }
    let tiny = png_bytes(&photo_like(4, 30, 1));
    let pdq = hash_image(&tiny).unwrap().pdq.unwrap();
    assert_eq!((pdq.hash.as_str(), pdq.quality), (zero.as_str(), 0));
    // Five pixels is enough.
    let small = pdq_from_rgb(5, 5, photo_like(5, 5, 3).as_raw()).unwrap();
    assert_ne!(small.hash, PdqHash::ZERO);
}

#[test]
fn flat_images_have_low_quality() {
    let grey = RgbImage::from_pixel(300, 200, image::Rgb([90, 90, 90]));
    assert_eq!(pdq(&grey).quality, 0);
    assert!(pdq(&photo_like(300, 200, 5)).quality >= 50);
}

#[test]
fn png_and_raw_pixels_give_the_same_hash() {
    let photo = photo_like(333, 222, 9);
    let from_file = hash_image(&png_bytes(&photo)).unwrap().pdq.unwrap();
    let from_pixels = pdq(&photo);
    assert_eq!(from_file.hash, from_pixels.hash.to_hex());
    assert_eq!(from_file.quality, from_pixels.quality);
    let dihedral: Vec<String> = from_pixels.dihedral.iter().map(|h| h.to_hex()).collect();
    assert_eq!(from_file.dihedral.to_vec(), dihedral);
}

#[test]
fn alpha_is_ignored_and_grey_is_read_as_grey() {
    let photo = photo_like(200, 150, 4);
    let rgb_hash = pdq(&photo).hash;

    let mut rgba = RgbaImage::new(200, 150);
    for (x, y, p) in rgba.enumerate_pixels_mut() {
        let [r, g, b] = photo.get_pixel(x, y).0;
        *p = image::Rgba([r, g, b, (x % 256) as u8]);
    }
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(rgba)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(pdq_of_file(&png), rgb_hash);

    // A grey PNG is hashed from its grey values; the same picture as RGB (r = g = b) goes
    // through the luma weights, which round a few values by one unit in the last place.
    let grey = DynamicImage::ImageRgb8(photo).to_luma8();
    let mut png = Vec::new();
    DynamicImage::ImageLuma8(grey.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let as_rgb = DynamicImage::ImageLuma8(grey).to_rgb8();
    assert!(pdq_of_file(&png).distance(&pdq(&as_rgb).hash) <= 2);
}

#[test]
fn exif_orientation_is_applied_before_hashing() {
    // A photo stored sideways, as phones store portraits: the pixels are the upright picture
    // turned anticlockwise, and EXIF Orientation 6 tells viewers to turn it clockwise.
    let upright = DynamicImage::ImageRgb8(photo_like(240, 320, 11));
    let stored = upright.rotate270().to_rgb8();
    let plain = jpeg_bytes(&stored, 90);
    let tagged = insert_segments(
        &plain,
        1,
        &[sentinelle::media::orientation_exif::orientation_app1(6).to_vec()],
    );
    assert_eq!(orientation_of(&tagged), Some(6));

    // Exactly the hash of the decoded pixels turned upright, not of the pixels as stored.
    let (w, h, pixels) = decode_pixels(&plain).unwrap();
    let decoded = RgbImage::from_raw(w, h, pixels).unwrap();
    let turned = DynamicImage::ImageRgb8(decoded.clone())
        .rotate90()
        .to_rgb8();
    let from_tagged = pdq_of_file(&tagged);
    assert_eq!(from_tagged, pdq(&turned).hash);
    assert_eq!(pdq_of_file(&plain), pdq(&decoded).hash);

    // Upright, it matches the upright original; as stored, it does not (a quarter turn is as
    // good as a different picture to PDQ), but the stored hash's clockwise variant does.
    let upright_hash = pdq(&upright.to_rgb8()).hash;
    assert!(from_tagged.distance(&upright_hash) <= PDQ_MATCH_THRESHOLD);
    let stored_result = pdq(&decoded);
    assert!(stored_result.hash.distance(&upright_hash) > PDQ_MATCH_THRESHOLD);
    assert!(
        stored_result
            .variant(Dihedral::Rotate270)
            .distance(&upright_hash)
            <= PDQ_MATCH_THRESHOLD
    );
}

#[test]
fn digests_are_the_standard_ones() {
    assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    let png = png_bytes(&photo_like(64, 48, 2));
    let hashes = hash_image(&png).unwrap();
    assert_eq!(hashes.md5, md5_hex(&png));
    assert_eq!(hashes.sha256, sha256_hex(&png));
}

#[test]
fn json_shape_is_the_documented_one() {
    let hashes = hash_image(&png_bytes(&photo_like(100, 80, 1))).unwrap();
    let json = serde_json::to_value(&hashes).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["md5", "pdq", "sha256"]);
    let pdq = &json["pdq"];
    assert_eq!(pdq["hash"].as_str().unwrap().len(), 64);
    assert!(pdq["quality"].as_u64().unwrap() <= 100);
    assert_eq!(pdq["dihedral"].as_array().unwrap().len(), 8);
    assert_eq!(pdq["dihedral"][0], pdq["hash"]);
}

#[test]
fn distance_between_hex_hashes() {
    let zero = "0".repeat(64);
    let ones = "f".repeat(64);
    assert_eq!(pdq_distance(&zero, &zero).unwrap(), 0);
    assert_eq!(pdq_distance(&zero, &ones).unwrap(), 256);
    assert_eq!(
        pdq_distance(&zero, &format!("{}1", "0".repeat(63))).unwrap(),
        1
    );
    for bad in ["", "xyz", &"0".repeat(63)] {
        assert_eq!(
            pdq_distance(&zero, bad).unwrap_err().code(),
            ErrorCode::Malformed
        );
    }
}

/// Pixels from a canvas (`ImageData`, RGBA) hash exactly like the same pixels as RGB: alpha is
/// not part of PDQ, so the browser's decoder can feed the engine directly.
#[test]
fn rgba_pixels_hash_like_the_same_rgb_pixels() {
    let (width, height) = (97u32, 61u32);
    let mut rgb = Vec::new();
    let mut rgba = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let px = [
                (x * 255 / width) as u8,
                (y * 255 / height) as u8,
                ((x * y) % 251) as u8,
            ];
            rgb.extend_from_slice(&px);
            rgba.extend_from_slice(&px);
            rgba.push(((x + y) % 256) as u8); // any alpha
        }
    }
    let a = sentinelle::pdq_from_rgb(width, height, &rgb).unwrap();
    let b = sentinelle::pdq_from_rgba(width, height, &rgba).unwrap();
    assert_eq!(a, b);
    assert!(a.quality > 0);
    let short = &rgba[..rgba.len() - 1];
    assert_eq!(
        sentinelle::pdq_from_rgba(width, height, short)
            .unwrap_err()
            .code()
            .as_str(),
        "malformed"
    );
}
