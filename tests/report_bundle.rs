//! Evidence bundles: what is built verifies; every kind of tampering is caught and named; the
//! child-abuse rule holds on both sides; hostile zips are refused within limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{Cursor, Read, Write};

use sentinelle::report::{
    build_bundle, verify_bundle, ArtefactKind, BundleRequest, FileSpec, ImageRecord, Manifest,
    ProblemCode,
};
use sentinelle::ErrorCode;
use zip::write::SimpleFileOptions;

const SEED: [u8; 32] = [7; 32];

fn request(situation: Option<&str>, files: &[(&str, ArtefactKind, &str)]) -> BundleRequest {
    BundleRequest {
        software_name: "Sentinelle test".into(),
        software_version: "1.2.3".into(),
        captured_at: "2026-11-23T14:05:09Z".into(),
        url: "https://example.org/gallery/42".into(),
        title: Some("Gallery\u{7}  42".into()),
        situation: situation.map(Into::into),
        images: vec![ImageRecord {
            url: Some("https://cdn.example.org/a.jpg".into()),
            md5: sentinelle::md5_hex(b"image"),
            sha256: sentinelle::sha256_hex(b"image"),
            pdq: Some(common::KNOWN_PHOTO_PDQ.into()),
            pdq_quality: Some(100),
        }],
        files: files
            .iter()
            .map(|(name, kind, media)| FileSpec {
                name: (*name).into(),
                kind: *kind,
                media_type: (*media).into(),
            })
            .collect(),
    }
}

fn sample() -> (BundleRequest, Vec<Vec<u8>>) {
    let screenshot = common::png_bytes(&common::photo_like(64, 48, 3));
    let archive =
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n\r\n<html>page</html>".repeat(50);
    (
        request(
            Some("own-image"),
            &[
                ("screenshot.png", ArtefactKind::Screenshot, "image/png"),
                ("page.mhtml", ArtefactKind::Archive, "multipart/related"),
            ],
        ),
        vec![screenshot, archive],
    )
}

fn build(req: &BundleRequest, contents: &[Vec<u8>]) -> Vec<u8> {
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    build_bundle(req, &slices, &SEED).unwrap()
}

/// Every entry of a zip, in order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

/// Writes a new zip from entries (what a person tampering with a bundle would do).
fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(name.as_str(), SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn codes(zip: &[u8]) -> Vec<ProblemCode> {
    let v = verify_bundle(zip).unwrap();
    assert_eq!(v.valid, v.problems.is_empty());
    v.problems.iter().map(|p| p.code).collect()
}

#[test]
fn a_built_bundle_verifies_and_says_what_it_holds() {
    let (req, contents) = sample();
    let zip = build(&req, &contents);
    let v = verify_bundle(&zip).unwrap();
    assert!(v.valid, "{:?}", v.problems);
    let m = v.manifest.unwrap();
    assert_eq!(m.page.url, req.url);
    assert_eq!(
        m.page.title.as_deref(),
        Some("Gallery   42"),
        "control chars become spaces"
    );
    assert_eq!(m.captured_at, "2026-11-23T14:05:09Z");
    assert_eq!(m.software.engine, env!("CARGO_PKG_VERSION"));
    assert_eq!(m.images, req.images);
    let paths: Vec<&str> = v.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "artefacts/screenshot.png",
            "artefacts/page.mhtml",
            "README.txt"
        ]
    );
    assert!(v.files.iter().all(|f| f.ok));
    // The manifest's hashes are the SHA-256 of the files as stored in the zip.
    let stored = entries(&zip);
    for a in &m.artefacts {
        let (_, bytes) = stored.iter().find(|(n, _)| *n == a.path).unwrap();
        assert_eq!(a.sha256, sentinelle::sha256_hex(bytes));
        assert_eq!(a.size, bytes.len() as u64);
    }
    let readme = String::from_utf8(
        stored
            .iter()
            .find(|(n, _)| n == "README.txt")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(readme.contains(&req.url) && readme.contains(&m.key.fingerprint));
    assert!(readme.contains("does not prove who"));
}

#[test]
fn the_same_capture_gives_the_same_bytes_and_another_key_another_signature() {
    let (req, contents) = sample();
    assert_eq!(build(&req, &contents), build(&req, &contents));
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    let other = build_bundle(&req, &slices, &[8; 32]).unwrap();
    assert!(verify_bundle(&other).unwrap().valid);
    let fp = |z: &[u8]| verify_bundle(z).unwrap().manifest.unwrap().key.fingerprint;
    assert_ne!(fp(&other), fp(&build(&req, &contents)));
}

#[test]
fn a_changed_file_is_named() {
    let (req, contents) = sample();
    let mut e = entries(&build(&req, &contents));
    let shot = e
        .iter_mut()
        .find(|(n, _)| n == "artefacts/screenshot.png")
        .unwrap();
    let last = shot.1.len() - 20;
    shot.1[last] ^= 1;
    let v = verify_bundle(&rezip(&e)).unwrap();
    assert!(!v.valid);
    assert_eq!(v.problems.len(), 1);
    assert_eq!(v.problems[0].code, ProblemCode::FileChanged);
    assert_eq!(
        v.problems[0].path.as_deref(),
        Some("artefacts/screenshot.png")
    );
    let bad: Vec<&str> = v
        .files
        .iter()
        .filter(|f| !f.ok)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(bad, ["artefacts/screenshot.png"]);
}

#[test]
fn an_edited_manifest_breaks_the_signature() {
    let (req, contents) = sample();
    let mut e = entries(&build(&req, &contents));
    let manifest = &mut e.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1;
    let text = String::from_utf8(manifest.clone()).unwrap();
    *manifest = text
        .replace("2026-11-23T14:05:09Z", "2026-11-20T09:00:00Z")
        .into_bytes();
    assert_eq!(codes(&rezip(&e)), [ProblemCode::SignatureInvalid]);
}

#[test]
fn a_manifest_re_signed_with_another_key_is_caught() {
    // The tamperer rewrites the manifest's hashes and signs it with their own key but leaves
    // the original key in the manifest: key mismatch. If they also replace the key, the bundle
    // is valid but under another fingerprint, which is what a helpline compares.
    let (req, contents) = sample();
    let genuine = build(&req, &contents);
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    let forged = build_bundle(&req, &slices, &[9; 32]).unwrap();
    let mut e = entries(&genuine);
    let forged_sig = entries(&forged)
        .into_iter()
        .find(|(n, _)| n == "signature.json")
        .unwrap();
    *e.iter_mut().find(|(n, _)| n == "signature.json").unwrap() = forged_sig;
    let got = codes(&rezip(&e));
    assert!(got.contains(&ProblemCode::KeyMismatch), "{got:?}");
    assert!(got.contains(&ProblemCode::SignatureInvalid), "{got:?}");
}

#[test]
fn added_and_removed_files_are_caught() {
    let (req, contents) = sample();
    let mut e = entries(&build(&req, &contents));
    e.push(("artefacts/extra.txt".into(), b"added later".to_vec()));
    assert_eq!(codes(&rezip(&e)), [ProblemCode::FileUnlisted]);

    let mut e = entries(&build(&req, &contents));
    e.retain(|(n, _)| n != "artefacts/page.mhtml");
    assert_eq!(codes(&rezip(&e)), [ProblemCode::FileMissing]);

    let mut e = entries(&build(&req, &contents));
    e.retain(|(n, _)| n != "signature.json");
    assert_eq!(codes(&rezip(&e)), [ProblemCode::SignatureMissing]);

    let mut e = entries(&build(&req, &contents));
    e.retain(|(n, _)| n != "manifest.json");
    let v = verify_bundle(&rezip(&e)).unwrap();
    assert_eq!(v.problems[0].code, ProblemCode::ManifestInvalid);
    assert!(v.manifest.is_none());
    assert!(!v.files.is_empty(), "the files found are still listed");
}

#[test]
fn child_abuse_reports_hold_no_pictures() {
    let req = request(
        Some("child-abuse"),
        &[("screenshot.png", ArtefactKind::Screenshot, "image/png")],
    );
    let err = build_bundle(&req, &[b"png".as_slice()], &SEED).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    for kind in [ArtefactKind::Archive, ArtefactKind::Image] {
        let req = request(Some("child-abuse"), &[("x.bin", kind, "image/jpeg")]);
        assert_eq!(
            build_bundle(&req, &[b"x".as_slice()], &SEED)
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
    }
    // URL and hashes only: allowed, and nothing in the zip is a picture.
    let req = request(
        Some("child-abuse"),
        &[("summary.txt", ArtefactKind::Document, "text/plain")],
    );
    let zip = build_bundle(&req, &[b"summary".as_slice()], &SEED).unwrap();
    assert!(verify_bundle(&zip).unwrap().valid);
    for (name, bytes) in entries(&zip) {
        assert!(
            !bytes.starts_with(b"\x89PNG") && !bytes.starts_with(b"\xFF\xD8"),
            "{name}"
        );
    }

    // A forged child-abuse bundle carrying a picture is flagged for the helpline worker.
    let (mut req, contents) = sample();
    req.situation = None;
    let mut e = entries(&build(&req, &contents));
    let m = &mut e.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1;
    let mut manifest: Manifest = serde_json::from_slice(m).unwrap();
    manifest.situation = Some("child-abuse".into());
    *m = serde_json::to_vec(&manifest).unwrap();
    let got = codes(&rezip(&e));
    assert!(got.contains(&ProblemCode::ForbiddenContent), "{got:?}");
}

#[test]
fn unsafe_paths_in_a_manifest_are_refused() {
    let (req, contents) = sample();
    let mut e = entries(&build(&req, &contents));
    let m = &mut e.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1;
    let mut manifest: Manifest = serde_json::from_slice(m).unwrap();
    manifest.artefacts[0].path = "../../etc/passwd".into();
    *m = serde_json::to_vec(&manifest).unwrap();
    let got = codes(&rezip(&e));
    assert!(got.contains(&ProblemCode::PathUnsafe), "{got:?}");
}

#[test]
fn bad_requests_get_clear_errors() {
    let (req, contents) = sample();
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    let fails = |req: &BundleRequest, slices: &[&[u8]], seed: &[u8]| {
        build_bundle(req, slices, seed).unwrap_err().code()
    };
    assert_eq!(fails(&req, &slices, &[1; 31]), ErrorCode::InvalidInput);
    assert_eq!(fails(&req, &slices[..1], &SEED), ErrorCode::InvalidInput);
    for mutate in [
        (|r: &mut BundleRequest| r.captured_at = "yesterday".into()) as fn(&mut BundleRequest),
        |r| r.url = String::new(),
        |r| r.url = "data:image/png;base64,AAAA".into(),
        |r| r.url = "https://a.example/\nb".into(),
        |r| r.situation = Some("other".into()),
        |r| r.files[0].name = "../x.png".into(),
        |r| r.files[0].name = ".hidden".into(),
        |r| r.files[1].name = r.files[0].name.clone(),
        |r| r.files[0].kind = ArtefactKind::Readme,
        |r| r.images[0].md5 = "XYZ".into(),
        |r| r.images[0].pdq = Some("12".into()),
    ] {
        let mut r = req.clone();
        mutate(&mut r);
        assert_eq!(fails(&r, &slices, &SEED), ErrorCode::InvalidInput, "{r:?}");
    }
    let mut r = req.clone();
    r.title = Some("t".repeat(5000));
    let v = verify_bundle(&build(&r, &contents)).unwrap();
    assert_eq!(
        v.manifest.unwrap().page.title.unwrap().chars().count(),
        1000
    );
}

#[test]
fn hostile_zips_are_refused_within_limits() {
    assert_eq!(
        verify_bundle(b"not a zip").unwrap_err().code(),
        ErrorCode::Malformed
    );
    assert_eq!(verify_bundle(b"").unwrap_err().code(), ErrorCode::Malformed);
    let (req, contents) = sample();
    let zip = build(&req, &contents);
    for cut in [zip.len() / 2, zip.len() - 10, 30] {
        // Truncated: either unreadable as a zip or readable with damaged entries; never valid.
        if let Ok(v) = verify_bundle(&zip[..cut]) {
            assert!(!v.valid);
        }
    }
    // Too many entries.
    let many: Vec<(String, Vec<u8>)> = (0..100).map(|i| (format!("f{i}"), vec![])).collect();
    assert_eq!(
        verify_bundle(&rezip(&many)).unwrap_err().code(),
        ErrorCode::TooLarge
    );
    // A zip bomb: 300 MiB of zeros deflated to a few hundred KiB.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(
        "artefacts/bomb.bin",
        SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true),
    )
    .unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..300 {
        w.write_all(&chunk).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 << 20);
    assert_eq!(
        verify_bundle(&bomb).unwrap_err().code(),
        ErrorCode::TooLarge
    );
    // Random bytes with a zip's end marker.
    let mut junk = vec![0x55u8; 200];
    junk.extend_from_slice(
        b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\0",
    );
    assert!(verify_bundle(&junk).is_err());
}

#[test]
fn seeded_byte_flips_never_panic_and_never_pass_changed_content() {
    let (req, contents) = sample();
    let zip = build(&req, &contents);
    let original = verify_bundle(&zip).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..400 {
        let mut bytes = zip.clone();
        for _ in 0..3 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % bytes.len() as u64) as usize;
            bytes[at] ^= 1 << (state % 8);
        }
        if let Ok(v) = verify_bundle(&bytes) {
            if v.valid {
                // A flip in bytes the verdict does not depend on (a local header's time, say)
                // may leave the bundle valid, but then its files read back unchanged.
                assert_eq!(v.files, original.files);
                assert_eq!(v.manifest, original.manifest);
            }
        }
    }
}

#[test]
fn a_byte_changed_in_place_is_named_changed_even_with_a_stale_zip_checksum() {
    let (req, contents) = sample();
    let mut zip = build(&req, &contents);
    // The screenshot is stored uncompressed: find it in the zip and change one byte in place,
    // leaving the zip's CRC-32 stale.
    let shot = &contents[0];
    let at = zip
        .windows(shot.len())
        .position(|w| w == shot.as_slice())
        .unwrap();
    zip[at + shot.len() / 2] ^= 0x01;
    let v = verify_bundle(&zip).unwrap();
    assert_eq!(
        v.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        [ProblemCode::FileChanged]
    );
}
