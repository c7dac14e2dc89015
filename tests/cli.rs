//! The `sentinelle` command: output shapes, exit codes, and never touching the input file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sentinelle"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn run_str(args: &[&str]) -> Output {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    run(&args)
}

/// The CLI's error contract: exit `status`, and exactly one stderr line naming the stable code.
fn assert_fails_with_one_line(out: &Output, status: i32, code: &str) {
    assert_eq!(out.status.code(), Some(status));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("sentinelle: error[{code}]: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

fn path_args<'a>(words: &[&'a str], paths: &[&'a Path]) -> Vec<&'a std::ffi::OsStr> {
    words
        .iter()
        .map(|w| std::ffi::OsStr::new(*w))
        .chain(paths.iter().map(|p| p.as_os_str()))
        .collect()
}

#[test]
fn inspect_json_lists_findings_and_location() {
    let dir = temp_dir("cli-inspect");
    let photo = dir.join("photo.jpg");
    std::fs::write(&photo, full_fixture(6)).unwrap();
    let out = run(&path_args(&["inspect"], &[&photo, Path::new("--json")]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["format"], "jpeg");
    assert!((json["location"]["latitude"].as_f64().unwrap() - LATITUDE).abs() < 1e-6);
    let findings = json["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["category"] == "location" && f["field"] == "GPSLatitude"));

    let plain = run(&path_args(&["inspect"], &[&photo]));
    assert!(plain.status.success());
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains("GPSLatitude"));
    assert!(text.contains("48.858400° N"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn strip_writes_a_clean_copy_and_keeps_the_original() {
    let dir = temp_dir("cli-strip");
    let photo = dir.join("photo.jpg");
    let clean = dir.join("clean.jpg");
    let original = full_fixture(1);
    std::fs::write(&photo, &original).unwrap();
    std::fs::write(&clean, b"old content is replaced").unwrap();
    let out = run(&path_args(&["strip"], &[&photo, &clean]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&photo).unwrap(), original);
    let cleaned = std::fs::read(&clean).unwrap();
    assert!(sentinelle::analyze(&cleaned).unwrap().findings.is_empty());
    // No temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(names.len(), 2);

    let plain = run(&path_args(&["inspect"], &[&clean]));
    assert!(String::from_utf8_lossy(&plain.stdout).contains("nothing found"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn strip_refuses_to_overwrite_its_input() {
    let dir = temp_dir("cli-same");
    let photo = dir.join("photo.jpg");
    let original = full_fixture(1);
    std::fs::write(&photo, &original).unwrap();
    let same = dir.join(".").join("photo.jpg");
    let out = run(&path_args(&["strip"], &[&photo, &same]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&photo).unwrap(), original);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_1_with_one_coded_line() {
    let dir = temp_dir("cli-bad");
    let bmp = dir.join("image.bmp");
    std::fs::write(&bmp, b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0").unwrap();
    let out = run(&path_args(&["inspect"], &[&bmp]));
    assert_fails_with_one_line(&out, 1, "unsupported-format");

    let cut = dir.join("cut.jpg");
    std::fs::write(&cut, &full_fixture(1)[..500]).unwrap();
    let out = run(&path_args(&["strip"], &[&cut, &dir.join("out.jpg")]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("sentinelle: error[truncated]: "));
    assert!(!dir.join("out.jpg").exists());

    let missing = run(&path_args(&["inspect"], &[&dir.join("missing.jpg")]));
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("sentinelle: error[io]: "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2_and_help_and_version_work() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["strip", "only-one"][..],
        &["inspect"][..],
    ] {
        let out = run_str(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("sentinelle: error[usage]: "));
    }
    let help = run_str(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("sentinelle strip IN OUT"));
    let version = run_str(&["--version"]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8(version.stdout).unwrap().trim(),
        format!("sentinelle {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn hash_json_prints_pdq_md5_and_sha256() {
    let dir = temp_dir("cli-hash");
    let photo = dir.join("photo.png");
    let bytes = png_bytes(&photo_like(320, 240, 7));
    std::fs::write(&photo, &bytes).unwrap();
    let out = run(&path_args(&["hash"], &[&photo, Path::new("--json")]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["pdq"]["hash"], KNOWN_PHOTO_PDQ);
    assert!(json["pdq"]["quality"].as_u64().unwrap() >= 50);
    let dihedral = json["pdq"]["dihedral"].as_array().unwrap();
    assert_eq!(dihedral.len(), 8);
    assert!(dihedral.iter().all(|h| h.as_str().unwrap().len() == 64));
    assert_eq!(json["md5"], sentinelle::md5_hex(&bytes));
    assert_eq!(json["sha256"], sentinelle::sha256_hex(&bytes));

    let plain = run(&path_args(&["hash"], &[&photo]));
    assert!(plain.status.success());
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains(&format!("PDQ      {KNOWN_PHOTO_PDQ}  quality")));
    assert!(text.contains(&format!("SHA-256  {}", sentinelle::sha256_hex(&bytes))));
    assert!(text.contains("rot90"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hash_distance_compares_files_and_hex_hashes() {
    let dir = temp_dir("cli-distance");
    let photo = photo_like(320, 240, 7);
    let a = dir.join("a.png");
    let b = dir.join("b.jpg");
    let c = dir.join("c.png");
    std::fs::write(&a, png_bytes(&photo)).unwrap();
    std::fs::write(&b, jpeg_bytes(&photo, 80)).unwrap();
    std::fs::write(&c, png_bytes(&photo_like(320, 240, 8))).unwrap();

    let out = run(&path_args(&["hash"], &[&a, &b, Path::new("--distance")]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("distance "), "{text}");
    assert!(text.contains(": match (31 or less is a match)"), "{text}");

    let out = run(&path_args(&["hash", "--distance", "--json"], &[&a, &c]));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["match"], false);
    assert!(json["distance"].as_u64().unwrap() > 31);

    // A 64-digit hash stands for itself.
    let out = run(&path_args(&["hash", "--distance", KNOWN_PHOTO_PDQ], &[&a]));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().next(),
        Some("distance 0: match (31 or less is a match)")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hash_errors_and_usage() {
    let dir = temp_dir("cli-hash-bad");
    let gif = dir.join("anim.gif");
    std::fs::write(&gif, b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0").unwrap();
    let out = run(&path_args(&["hash"], &[&gif]));
    assert_fails_with_one_line(&out, 1, "unsupported-format");

    for args in [
        &["hash"][..],
        &["hash", "a.png", "b.png"][..],
        &["hash", "a.png", "--distance"][..],
        &["hash", "a", "b", "c", "--distance"][..],
    ] {
        let out = run_str(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("sentinelle: error[usage]: "));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bundle_then_verify_and_a_tampered_copy_fails() {
    let dir = temp_dir("cli-bundle");
    let shot = dir.join("shot.png");
    std::fs::write(&shot, png_bytes(&photo_like(32, 24, 1))).unwrap();
    let photo = dir.join("photo.jpg");
    std::fs::write(&photo, jpeg_bytes(&photo_like(64, 64, 2), 90)).unwrap();
    let key = dir.join("device.key");
    let out = dir.join("bundle.zip");
    let args = path_args(
        &[
            "bundle",
            "--url",
            "https://example.org/p",
            "--title",
            "Page",
            "--situation",
            "own-image",
            "--time",
            "2026-11-23T10:00:00Z",
            "--screenshot",
        ],
        &[&shot],
    );
    let mut args = args;
    for extra in [
        std::ffi::OsStr::new("--image-hash"),
        photo.as_os_str(),
        std::ffi::OsStr::new("--key"),
        key.as_os_str(),
        out.as_os_str(),
    ] {
        args.push(extra);
    }
    let made = run(&args);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let key_text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(key_text.trim().len(), 64, "the key file was made");

    let checked = run(&path_args(&["verify"], &[&out, Path::new("--json")]));
    assert!(checked.status.success());
    let json: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["manifest"]["captured_at"], "2026-11-23T10:00:00Z");
    assert_eq!(
        json["manifest"]["images"][0]["sha256"],
        sentinelle::sha256_hex(&std::fs::read(&photo).unwrap())
    );
    assert_eq!(json["manifest"]["artefacts"][0]["kind"], "screenshot");

    // The same key file signs the next bundle: same fingerprint.
    let out2 = dir.join("second.zip");
    let again = run(&path_args(
        &["bundle", "--url", "https://example.org/q", "--key"],
        &[&key, &out2],
    ));
    assert!(again.status.success());
    let fp = |p: &Path| {
        let o = run(&path_args(&["verify"], &[p, Path::new("--json")]));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["manifest"]["key"]
            ["fingerprint"]
            .clone()
    };
    assert_eq!(fp(&out), fp(&out2));

    // Flip one byte of the stored (uncompressed) screenshot inside the zip.
    let mut bytes = std::fs::read(&out).unwrap();
    let png = png_bytes(&photo_like(32, 24, 1));
    let at = bytes
        .windows(png.len())
        .position(|w| w == png.as_slice())
        .unwrap();
    bytes[at + png.len() / 2] ^= 0x40;
    let tampered = dir.join("tampered.zip");
    std::fs::write(&tampered, &bytes).unwrap();
    let refused = run(&path_args(&["verify"], &[&tampered]));
    assert_fails_with_one_line(&refused, 1, "bundle-invalid");
    let text = String::from_utf8_lossy(&refused.stdout);
    assert!(text.contains("NOT VALID"), "{text}");
    assert!(text.contains("artefacts/shot.png"), "{text}");
}

#[test]
fn verify_checks_an_intake_receipt_for_the_report_naming_the_bundle() {
    use sentinelle::report::{sign_receipt, ReceiptFile, RECEIPT_FILE_FORMAT};
    let dir = temp_dir("cli-receipt");
    let make = |name: &str, url: &str| {
        let out = dir.join(name);
        let o = run(&path_args(
            &["bundle", "--url", url, "--time", "2026-11-23T10:00:00Z"],
            &[&out],
        ));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let bundle = make("a.zip", "https://example.org/a");
    let other = make("b.zip", "https://example.org/b");
    let manifest =
        sentinelle::report::bundle_file(&std::fs::read(&bundle).unwrap(), "manifest.json").unwrap();
    let report = serde_json::json!({
        "format": "sentinelle-report-1",
        "evidence": { "manifest_sha256": sentinelle::sha256_hex(&manifest) },
    })
    .to_string();
    let receipt = sign_receipt(
        &[5; 32],
        "0123456789abcdef0123",
        report.as_bytes(),
        1_796_000_000,
    )
    .unwrap();
    let kept = dir.join("receipt.json");
    let file = ReceiptFile {
        format: RECEIPT_FILE_FORMAT.into(),
        intake: "https://intake.example/v1/reports".into(),
        report: report.clone(),
        receipt: receipt.clone(),
    };
    std::fs::write(&kept, serde_json::to_vec(&file).unwrap()).unwrap();

    let ok = run(&path_args(
        &["verify"],
        &[&bundle, Path::new("--receipt"), &kept],
    ));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        text.contains("VALID RECEIPT: https://intake.example/v1/reports received"),
        "{text}"
    );
    let json = run(&path_args(
        &["verify"],
        &[&bundle, Path::new("--receipt"), &kept, Path::new("--json")],
    ));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (
            json["bundle"]["valid"].clone(),
            json["receipt"]["valid"].clone()
        ),
        (true.into(), true.into())
    );

    // The receipt with another bundle; an edited time.
    let wrong = run(&path_args(
        &["verify"],
        &[&other, Path::new("--receipt"), &kept],
    ));
    assert_fails_with_one_line(&wrong, 1, "receipt-invalid");
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("[bundle-mismatch]"));
    let mut edited = file.clone();
    edited.receipt.received_at = "2020-01-01T00:00:00Z".into();
    std::fs::write(&kept, serde_json::to_vec(&edited).unwrap()).unwrap();
    let forged = run(&path_args(
        &["verify"],
        &[&bundle, Path::new("--receipt"), &kept],
    ));
    assert_fails_with_one_line(&forged, 1, "receipt-invalid");
    assert!(String::from_utf8_lossy(&forged.stdout).contains("[signature-invalid]"));
    std::fs::write(&kept, b"not json").unwrap();
    assert_fails_with_one_line(
        &run(&path_args(
            &["verify"],
            &[&bundle, Path::new("--receipt"), &kept],
        )),
        1,
        "malformed",
    );
    assert_fails_with_one_line(
        &run(&path_args(&["verify"], &[&bundle, Path::new("--receipt")])),
        2,
        "usage",
    );
}

#[test]
fn bundle_usage_errors() {
    assert_fails_with_one_line(&run_str(&["bundle", "out.zip"]), 2, "usage");
    assert_fails_with_one_line(&run_str(&["bundle", "--url"]), 2, "usage");
    assert_fails_with_one_line(
        &run_str(&["bundle", "--url", "u", "--bogus", "x"]),
        2,
        "usage",
    );
    assert_fails_with_one_line(&run_str(&["verify"]), 2, "usage");
    let dir = temp_dir("cli-bundle-bad");
    let out = dir.join("x.zip");
    let bad_time = run(&path_args(
        &["bundle", "--url", "https://e.example/", "--time", "noon"],
        &[&out],
    ));
    assert_fails_with_one_line(&bad_time, 1, "invalid-input");
    assert!(!out.exists());
    let not_zip = dir.join("not.zip");
    std::fs::write(&not_zip, b"hello").unwrap();
    assert_fails_with_one_line(&run(&path_args(&["verify"], &[&not_zip])), 1, "malformed");
}

#[test]
fn inspect_lists_faces_and_blur_faces_writes_a_copy_without_them() {
    let dir = temp_dir("cli-faces");
    // A plain photo: "faces": [] in the JSON.
    let plain = dir.join("plain.jpg");
    std::fs::write(&plain, jpeg_bytes(&photo_like(320, 240, 5), 90)).unwrap();
    let out = run(&path_args(&["inspect"], &[&plain, Path::new("--json")]));
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["faces"], serde_json::json!([]));
    assert_eq!(json["crop"], serde_json::Value::Null);
    let copy = dir.join("copy.jpg");
    let done = run(&path_args(&["blur-faces"], &[&plain, &copy]));
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("0 face(s) blurred"));
    assert_fails_with_one_line(
        &run(&path_args(&["blur-faces"], &[&plain, &plain])),
        2,
        "usage",
    );
    assert_fails_with_one_line(&run_str(&["blur-faces", "only-one"]), 2, "usage");
}

#[test]
fn crop_faces_writes_the_part_without_faces_or_says_why_not() {
    let dir = temp_dir("cli-crop");
    let group = dir.join("group.png");
    std::fs::write(&group, png_bytes(group_photo())).unwrap();
    let copy = dir.join("cropped.png");
    let done = run(&path_args(&["crop-faces"], &[&group, &copy]));
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("no face in it"));
    // inspect said beforehand which part that would be; the crop looks again more closely, so
    // the copy is that part or a little less of it (the group photo: a few rows).
    let before = run(&path_args(&["inspect"], &[&group, Path::new("--json")]));
    let before: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    let (w, h) = image::load_from_memory(&std::fs::read(&copy).unwrap())
        .unwrap()
        .into_rgb8()
        .dimensions();
    let offered = (
        before["crop"]["width"].as_u64().unwrap(),
        before["crop"]["height"].as_u64().unwrap(),
    );
    assert_eq!(u64::from(w), offered.0);
    assert!(
        u64::from(h) <= offered.1 && u64::from(h) * 10 >= offered.1 * 9,
        "{h} of {offered:?}"
    );
    let out = run(&path_args(&["inspect"], &[&copy, Path::new("--json")]));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["faces"], serde_json::json!([]));
    // A photo without a face has nothing to crop away: an error, and no file written.
    let plain = dir.join("plain.jpg");
    std::fs::write(&plain, jpeg_bytes(&photo_like(320, 240, 5), 90)).unwrap();
    let none = dir.join("none.jpg");
    assert_fails_with_one_line(
        &run(&path_args(&["crop-faces"], &[&plain, &none])),
        1,
        "invalid-input",
    );
    assert!(!none.exists());
    assert_fails_with_one_line(&run_str(&["crop-faces", "only-one"]), 2, "usage");
}
