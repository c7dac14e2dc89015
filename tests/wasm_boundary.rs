//! The wasm boundary, in a real browser (`wasm-pack test --headless --chrome`): what JavaScript
//! gets from the facade is the camelCase data the extension reads, errors are `Error`s with a
//! stable `code`, and the cleaned bytes come back whole.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use js_sys::{Array, Reflect, Uint8Array};
use sentinelle::wasm::{self as facade, engine_version, pdq_distance};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

// The facade takes the bytes as a JS `Uint8Array`, as the extension passes them.
fn analyze(bytes: &[u8]) -> Result<JsValue, JsValue> {
    facade::analyze(&Uint8Array::from(bytes))
}

fn strip(bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
    facade::strip(&Uint8Array::from(bytes))
}

fn hash_image(bytes: &[u8]) -> Result<JsValue, JsValue> {
    facade::hash_image(&Uint8Array::from(bytes))
}

/// `bytes` as a view in the middle of a larger JS buffer, 3 bytes in (as a Node `Buffer` from
/// its pool, or a `subarray`): the engine must read the view, not its buffer.
fn view_of(bytes: &[u8]) -> Uint8Array {
    let len = u32::try_from(bytes.len()).unwrap();
    let whole = Uint8Array::new_with_length(len + 10);
    whole.fill(0xFF, 0, len + 10);
    let view = whole.subarray(3, 3 + len);
    view.copy_from(bytes);
    view
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn code_of(error: &JsValue) -> String {
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "errors reach JS as Error objects"
    );
    get(error, "code")
        .as_string()
        .expect("every error has a string code")
}

#[wasm_bindgen_test]
fn analyze_gives_camel_case_findings_and_the_position() {
    let analysis = analyze(&common::full_fixture(6)).unwrap();
    assert_eq!(
        get(&analysis, "format").as_string().as_deref(),
        Some("jpeg")
    );
    let findings: Array = get(&analysis, "findings").dyn_into().unwrap();
    assert!(findings.length() > 5, "the fixture is full of metadata");
    let categories: Vec<String> = findings
        .iter()
        .map(|f| get(&f, "category").as_string().unwrap())
        .collect();
    for wanted in [
        "location",
        "device",
        "person",
        "time",
        "software",
        "hidden-image",
    ] {
        assert!(
            categories.iter().any(|c| c == wanted),
            "{wanted} in {categories:?}"
        );
    }
    let first = findings.get(0);
    assert!(get(&first, "field").as_string().is_some());
    assert!(get(&first, "value").as_string().is_some());

    let location = get(&analysis, "location");
    let latitude = get(&location, "latitude").as_f64().unwrap();
    let longitude = get(&location, "longitude").as_f64().unwrap();
    assert!((latitude - common::LATITUDE).abs() < 1e-4, "{latitude}");
    assert!((longitude - common::LONGITUDE).abs() < 1e-4, "{longitude}");
    assert_eq!(get(&location, "altitudeM").as_f64(), Some(common::ALTITUDE));
}

/// The facade builds the analysis in JS from a packed string (for speed): it must be exactly what
/// serde makes of the core's result, for a photo full of metadata (text with quotes, accents and
/// spaces among it) and for one with none.
#[wasm_bindgen_test]
fn analyze_is_exactly_the_cores_analysis() {
    let comment = common::comment_segment("« chez moi », 12 rue de l'Église\tParis \"3e\"");
    let full = common::insert_segments(&common::full_fixture(6), 0, &[comment]);
    for bytes in [full, common::gradient_jpeg(32, 24)] {
        // Through JSON.parse, so numbers are written the same way (35, not serde's 35.0).
        let native = serde_json::to_string(&sentinelle::analyze(&bytes).unwrap()).unwrap();
        let native = js_sys::JSON::stringify(&js_sys::JSON::parse(&native).unwrap()).unwrap();
        let js = js_sys::JSON::stringify(&analyze(&bytes).unwrap()).unwrap();
        assert_eq!(String::from(js), String::from(native));
    }
}

#[wasm_bindgen_test]
fn a_view_into_a_larger_buffer_is_read_as_the_view() {
    let photo = common::full_fixture(6);
    let native = serde_json::to_string(&sentinelle::analyze(&photo).unwrap()).unwrap();
    let native = js_sys::JSON::stringify(&js_sys::JSON::parse(&native).unwrap()).unwrap();
    let js = js_sys::JSON::stringify(&facade::analyze(&view_of(&photo)).unwrap()).unwrap();
    assert_eq!(String::from(js), String::from(native));
    assert_eq!(
        facade::strip(&view_of(&photo)).unwrap(),
        sentinelle::strip_metadata(&photo).unwrap()
    );
}

#[wasm_bindgen_test]
fn an_array_too_large_for_wasm_memory_is_refused_with_a_code() {
    // Something that says it holds 8 GiB (a real one would need the memory): refused from its
    // length, before any copy, where js-sys' u32 length would have wrapped to 0.
    let huge = js_sys::Object::new();
    Reflect::set(&huge, &"length".into(), &JsValue::from_f64(8_589_934_592.0)).unwrap();
    let huge: Uint8Array = huge.unchecked_into();
    assert_eq!(code_of(&facade::analyze(&huge).unwrap_err()), "too-large");
    assert_eq!(code_of(&facade::strip(&huge).unwrap_err()), "too-large");
}

#[wasm_bindgen_test]
fn a_photo_without_metadata_has_no_findings_and_a_null_location() {
    let analysis = analyze(&common::gradient_jpeg(32, 24)).unwrap();
    let findings: Array = get(&analysis, "findings").dyn_into().unwrap();
    assert_eq!(findings.length(), 0);
    assert!(
        get(&analysis, "location").is_null(),
        "null, not undefined: JS checks one thing"
    );
}

#[wasm_bindgen_test]
fn strip_returns_a_clean_copy_that_analyzes_empty() {
    let original = common::full_fixture(6);
    let cleaned = strip(&original).unwrap();
    assert!(cleaned.len() < original.len());
    assert_eq!(common::scan_bytes(&cleaned), common::scan_bytes(&original));
    assert_eq!(common::orientation_of(&cleaned), Some(6));
    let again: Array = get(&analyze(&cleaned).unwrap(), "findings")
        .dyn_into()
        .unwrap();
    assert_eq!(again.length(), 0);
}

#[wasm_bindgen_test]
fn errors_carry_stable_codes() {
    assert_eq!(
        code_of(&analyze(b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0").unwrap_err()),
        "unsupported-format"
    );
    assert_eq!(code_of(&analyze(&[]).unwrap_err()), "unsupported-format");
    let photo = common::full_fixture(1);
    let cut = &photo[..photo.len() / 2];
    assert_eq!(code_of(&analyze(cut).unwrap_err()), "truncated");
    assert_eq!(code_of(&strip(cut).unwrap_err()), "truncated");
    let message = get(&analyze(cut).unwrap_err(), "message")
        .as_string()
        .unwrap();
    assert!(!message.is_empty() && !message.contains("panicked"));
}

#[wasm_bindgen_test]
fn hash_image_gives_the_native_pdq_bits() {
    // The native tests expect the same string (tests/pdq_properties.rs), so the two builds
    // agree to the bit on this image.
    let png = common::png_bytes(&common::photo_like(320, 240, 7));
    let hashes = hash_image(&png).unwrap();
    let pdq = get(&hashes, "pdq");
    assert_eq!(
        get(&pdq, "hash").as_string().as_deref(),
        Some(common::KNOWN_PHOTO_PDQ)
    );
    let quality = get(&pdq, "quality").as_f64().unwrap();
    assert!((50.0..=100.0).contains(&quality), "{quality}");
    let dihedral: Array = get(&pdq, "dihedral").dyn_into().unwrap();
    assert_eq!(dihedral.length(), 8);
    assert_eq!(
        dihedral.get(0).as_string().as_deref(),
        Some(common::KNOWN_PHOTO_PDQ)
    );
    assert_eq!(get(&hashes, "md5").as_string().map(|s| s.len()), Some(32));
    assert_eq!(
        get(&hashes, "sha256").as_string().map(|s| s.len()),
        Some(64)
    );
}

#[wasm_bindgen_test]
fn pdq_distance_counts_bits_and_errors_carry_codes() {
    let zero = "0".repeat(64);
    assert_eq!(pdq_distance(&zero, &zero).unwrap(), 0);
    assert_eq!(pdq_distance(&zero, &"f".repeat(64)).unwrap(), 256);
    assert_eq!(
        code_of(&pdq_distance(&zero, "xyz").unwrap_err()),
        "malformed"
    );
    assert_eq!(
        code_of(&hash_image(b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0").unwrap_err()),
        "unsupported-format"
    );
    let png = common::png_bytes(&common::photo_like(40, 30, 1));
    assert_eq!(
        code_of(&hash_image(&png[..png.len() / 2]).unwrap_err()),
        "truncated"
    );
}

#[wasm_bindgen_test]
fn the_engine_says_its_version() {
    assert_eq!(engine_version(), env!("CARGO_PKG_VERSION"));
}
