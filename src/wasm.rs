//! The WebAssembly facade: the only file that names `wasm_bindgen`. Coarse calls (one per photo,
//! one per fix), serde data in camelCase, errors as JS `Error`s with a stable `code` property that
//! the extension branches on.

use wasm_bindgen::prelude::*;

use crate::Error;

/// Turns a core error into a JS `Error` whose `code` is the stable code and whose `message` is
/// the human-readable text.
fn js_error(error: &Error) -> JsValue {
    let js = js_sys::Error::new(error.message());
    // Setting a property on a fresh Error object cannot fail; if it ever did, the JS side still
    // gets an Error (without a code it treats it as an engine failure).
    let _ = js_sys::Reflect::set(
        &js,
        &JsValue::from_str("code"),
        &JsValue::from_str(error.code().as_str()),
    );
    js.into()
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(|e| {
        let js = js_sys::Error::new(&format!("could not convert the result for JavaScript: {e}"));
        let _ = js_sys::Reflect::set(
            &js,
            &JsValue::from_str("code"),
            &JsValue::from_str("internal"),
        );
        js.into()
    })
}

/// Where a file's copy in wasm memory starts: a multiple of this.
const COPY_ALIGN: usize = 64;

/// Lends `f` the bytes of a JS `Uint8Array`, copied into wasm memory at a 64-byte boundary.
///
/// Where the copy lands matters more than anything the engine does with it. wasm-bindgen's own
/// copy (for a `&[u8]` parameter) goes wherever the allocator puts it, 8 bytes off a 16-byte
/// boundary about half the time; in Chromium 156 on x86-64 a 200 KB copy to such an address ran
/// at 2.8 GB/s, against 35–50 GB/s to an aligned one. So the same inspection of the corpus' 66
/// JPEGs took 2.0 or 3.5 ms depending on which photos had been analysed before.
///
/// An array wasm memory cannot hold gets a `too-large` error, not a trap: its length is read as
/// the JS number it is (js-sys' `length()` wraps past 4 GiB), and the buffer is reserved
/// fallibly.
fn with_bytes<R>(
    array: &js_sys::Uint8Array,
    f: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    let length = js_sys::Reflect::get(array, &JsValue::from_str("length"))
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0);
    let too_large = || {
        Error::new(
            crate::ErrorCode::TooLarge,
            format!("the file is too large to be read here ({length} bytes)"),
        )
    };
    if !(0.0..=f64::from(u32::MAX)).contains(&length) {
        return Err(too_large());
    }
    // In range, so the cast drops only a fraction (a typed array's length has none).
    let len = length as usize;
    let mut buffer: Vec<u8> = Vec::new();
    buffer
        .try_reserve_exact(len.saturating_add(COPY_ALIGN))
        .map_err(|_| too_large())?;
    let spare = buffer.spare_capacity_mut();
    let start = spare.as_ptr().align_offset(COPY_ALIGN);
    match start
        .checked_add(len)
        .and_then(|end| spare.get_mut(start..end))
    {
        // Not initialised first: the copy writes every byte of the window.
        Some(window) => f(array.copy_to_uninit(window)),
        None => f(&array.to_vec()),
    }
}

/// What the photo gives away: `{format, findings: [{category, severity, field, value}], location}`.
#[wasm_bindgen]
pub fn analyze(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue> {
    let analysis = with_bytes(bytes, crate::analyze).map_err(|e| js_error(&e))?;
    analysis_to_js(&analysis)
}

/// `analyze`, plus the check whether an EXIF thumbnail shows another picture than the photo
/// (often the original before it was cropped: then every hidden-image finding is high
/// severity and a `ThumbnailDiffers` finding says so). The photo is given as the pixels the
/// browser decoded (RGBA, upright, any size), so nothing is decoded twice.
#[wasm_bindgen(js_name = analyzeWithPixels)]
pub fn analyze_with_pixels(
    bytes: &js_sys::Uint8Array,
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<JsValue, JsValue> {
    let limits = crate::Limits::default();
    let analysis = with_bytes(bytes, |bytes| {
        crate::metadata::thumbnail::analyze_with_main_pixels(bytes, width, height, rgba, &limits)
    })
    .map_err(|e| js_error(&e))?;
    analysis_to_js(&analysis)
}

// An analysis is the one result made for every photo, and serde-wasm-bindgen builds its objects
// property by property across the boundary (about 1.3 µs a finding in Chromium: 0.6 ms for the
// corpus' 66 JPEGs, a third of the whole inspection). Instead the findings cross as one string
// and this JS builds the same objects.
#[wasm_bindgen(inline_js = r#"
export function analysisFromParts(format, packed, location) {
  const parts = packed.split('\0');
  const findings = [];
  for (let i = 0; i + 3 < parts.length; i += 4) {
    findings.push({ category: parts[i], severity: parts[i + 1], field: parts[i + 2], value: parts[i + 3] });
  }
  return { format, findings, location };
}
"#)]
extern "C" {
    /// `{format, findings: [{category, severity, field, value}], location}` from the findings'
    /// four strings each, every string followed by a NUL.
    #[wasm_bindgen(js_name = analysisFromParts)]
    fn analysis_from_parts(format: &str, packed: &str, location: JsValue) -> JsValue;
}

/// What `to_js` would make of an analysis, built in JS from one string (see above).
fn analysis_to_js(analysis: &crate::Analysis) -> Result<JsValue, JsValue> {
    let mut packed = String::with_capacity(analysis.findings.len().saturating_mul(64));
    let mut push = |text: &str| {
        // Values are cleaned of control characters when read, so a NUL cannot occur; were one
        // to, it would shift every later field, so it is replaced all the same.
        if text.contains('\0') {
            packed.push_str(&text.replace('\0', "\u{fffd}"));
        } else {
            packed.push_str(text);
        }
        packed.push('\0');
    };
    for finding in &analysis.findings {
        push(finding.category.as_str());
        push(finding.severity.as_str());
        push(&finding.field);
        push(&finding.value);
    }
    let location = match &analysis.location {
        Some(position) => to_js(position)?,
        None => JsValue::NULL,
    };
    Ok(analysis_from_parts(
        analysis.format.as_str(),
        &packed,
        location,
    ))
}

/// A copy of the photo without its privacy metadata; the pixels are untouched.
#[wasm_bindgen]
pub fn strip(bytes: &js_sys::Uint8Array) -> Result<Vec<u8>, JsValue> {
    with_bytes(bytes, crate::strip_metadata).map_err(|e| js_error(&e))
}

/// The hashes helplines match images by, for a JPEG or PNG:
/// `{pdq: {hash, quality, dihedral: [8 hashes]}, md5, sha256}`, hashes in lowercase hex.
/// PDQ is computed at full resolution on the upright image (EXIF orientation applied).
#[wasm_bindgen(js_name = hashImage)]
pub fn hash_image(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue> {
    let hashes = with_bytes(bytes, crate::hash_image).map_err(|e| js_error(&e))?;
    to_js(&hashes)
}

/// Number of differing bits between two PDQ hashes in hex (31 or less is a match). Errors
/// with code `malformed` when either is not 64 hex digits.
#[wasm_bindgen(js_name = pdqDistance)]
pub fn pdq_distance(a: &str, b: &str) -> Result<u32, JsValue> {
    crate::pdq_distance(a, b).map_err(|e| js_error(&e))
}

/// PDQ of pixels the browser decoded (a canvas's `ImageData`: RGBA, row-major):
/// `{hash, quality, dihedral}`. For formats the engine does not decode, and for benchmarks of the
/// hash alone.
#[wasm_bindgen(js_name = pdqFromRgba)]
pub fn pdq_from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<JsValue, JsValue> {
    let result = crate::pdq_from_rgba(width, height, rgba).map_err(|e| js_error(&e))?;
    to_js(&crate::hash::PdqHashes::from(&result))
}

/// The engine's version, for bug reports and evidence bundles.
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        js_error(&Error::new(
            crate::ErrorCode::InvalidInput,
            format!("{what}: {e}"),
        ))
    })
}

/// An evidence bundle (zip bytes). `request` is a `BundleRequest` in the manifest's own
/// snake_case (`{software_name, software_version, captured_at, url, title, situation, images,
/// files: [{name, kind, media_type}]}`); `contents` holds one `Uint8Array` per file, in order;
/// `seed` is the device key's 32 random bytes. Errors: `invalid-input`, `too-large`,
/// `forbidden` (a picture in a child-abuse report).
#[wasm_bindgen(js_name = buildBundle)]
pub fn build_bundle(
    request: JsValue,
    contents: js_sys::Array,
    seed: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let request: crate::report::BundleRequest = from_js(request, "bundle request")?;
    let contents: Vec<Vec<u8>> = contents
        .iter()
        .map(|c| js_sys::Uint8Array::new(&c).to_vec())
        .collect();
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    crate::report::build_bundle(&request, &slices, seed).map_err(|e| js_error(&e))
}

/// The verdict on a bundle: `{valid, problems: [{code, path, message}], manifest, files}`
/// (snake_case, as in the manifest). Errors only when the bytes are not a zip (`malformed`)
/// or exceed the limits (`too-large`).
#[wasm_bindgen(js_name = verifyBundle)]
pub fn verify_bundle(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue> {
    let verification = with_bytes(bytes, crate::report::verify_bundle).map_err(|e| js_error(&e))?;
    to_js(&verification)
}

/// Checks a receipt file a person kept after sending a report (`sentinelle-receipt-file-1`)
/// and, given the SHA-256 of a bundle's `manifest.json`, that the report named that bundle:
/// `{valid, problems: [codes], intake, report_id, received_at, key_fingerprint,
/// evidence_manifest_sha256}`. Errors only when the bytes are not a receipt file.
#[wasm_bindgen(js_name = checkReceiptFile)]
pub fn check_receipt_file(
    bytes: &js_sys::Uint8Array,
    manifest_sha256: Option<String>,
) -> Result<JsValue, JsValue> {
    let check = with_bytes(bytes, |b| {
        crate::report::check_receipt_file(b, manifest_sha256.as_deref())
    })
    .map_err(|e| js_error(&e))?;
    to_js(&check)
}

/// One file of a bundle, by its path in the zip (to show a verified screenshot or README).
#[wasm_bindgen(js_name = bundleFile)]
pub fn bundle_file(bytes: &js_sys::Uint8Array, path: &str) -> Result<Vec<u8>, JsValue> {
    with_bytes(bytes, |bytes| crate::report::bundle_file(bytes, path)).map_err(|e| js_error(&e))
}

/// The public half of the device key made from `seed`: `{algorithm, public_key, fingerprint}`.
#[wasm_bindgen(js_name = publicKeyInfo)]
pub fn public_key_info(seed: &[u8]) -> Result<JsValue, JsValue> {
    let info = crate::report::public_key_info(seed).map_err(|e| js_error(&e))?;
    to_js(&info)
}

fn directory_with(extra_helplines: Option<String>) -> Result<crate::report::Directory, JsValue> {
    let directory = crate::report::Directory::shipped().map_err(|e| js_error(&e))?;
    match extra_helplines {
        Some(json) if !json.trim().is_empty() => {
            directory.with_extra(&json).map_err(|e| js_error(&e))
        }
        _ => Ok(directory),
    }
}

/// The helplines that fit `{situation, minor, country}`, best first, each with reason codes;
/// the country's emergency numbers; what evidence may be kept. `extraHelplines` is a JSON
/// array of helplines an organisation added (same schema as `data/helplines.json`), or
/// `undefined`.
#[wasm_bindgen(js_name = routeReport)]
pub fn route_report(query: JsValue, extra_helplines: Option<String>) -> Result<JsValue, JsValue> {
    let query: crate::report::RouteQuery = from_js(query, "route query")?;
    let directory = directory_with(extra_helplines)?;
    to_js(&crate::report::route(&directory, &query))
}

/// The whole helpline directory (shipped plus added), for listing and for the verifier.
#[wasm_bindgen(js_name = helplineDirectory)]
pub fn helpline_directory(extra_helplines: Option<String>) -> Result<JsValue, JsValue> {
    to_js(&directory_with(extra_helplines)?)
}

/// A removal notice for the hosting platform, filled in: `[{id, language, subject, body,
/// disclaimer, law, deadline_hours, missing}]`, in the person's language then English.
/// `request`: `{notice: "eu-dsa-16" | "us-take-it-down-act", situation, language, urls,
/// hashes, name, email, contact, signature, date, platform, reference}`.
#[wasm_bindgen(js_name = renderNotices)]
pub fn render_notices(request: JsValue) -> Result<JsValue, JsValue> {
    let request: crate::report::NoticeRequest = from_js(request, "notice request")?;
    let notices = crate::report::render_notices(&request).map_err(|e| js_error(&e))?;
    to_js(&notices)
}

/// MD5 and SHA-256 of any file, `{md5, sha256}` in hex (for images the engine cannot decode).
#[wasm_bindgen(js_name = fileDigests)]
pub fn file_digests(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue> {
    #[derive(serde::Serialize)]
    struct Digests {
        md5: String,
        sha256: String,
    }
    let digests = with_bytes(bytes, |bytes| {
        Ok(Digests {
            md5: crate::md5_hex(bytes),
            sha256: crate::sha256_hex(bytes),
        })
    })
    .map_err(|e| js_error(&e))?;
    to_js(&digests)
}

/// Faces in pixels the browser decoded upright (a canvas's RGBA, `width`×`height`, possibly
/// scaled down), with boxes in the photo's upright pixels (`photoWidth`×`photoHeight`):
/// `{width, height, faces: [{x, y, width, height, score, reusable}]}`.
#[wasm_bindgen(js_name = detectFacesRgba)]
pub fn detect_faces_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    photo_width: u32,
    photo_height: u32,
) -> Result<JsValue, JsValue> {
    let report = crate::vision::detect_faces_rgba(rgba, width, height, photo_width, photo_height)
        .map_err(|e| js_error(&e))?;
    to_js(&report)
}

/// A JPEG decoded at reduced size for the quick look, upright:
/// `{width, height, rgba: Uint8ClampedArray, photoWidth, photoHeight}` (an `ImageData`'s
/// parts, and the photo's upright size). An error for a JPEG this decoder refuses (CMYK,
/// 12-bit, lossless, arithmetic coding: `unsupported-format`; a progressive one over about
/// 21 MP: `too-large`): the browser decodes those.
#[wasm_bindgen(js_name = jpegQuickLook)]
pub fn jpeg_quick_look(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue> {
    let look = with_bytes(bytes, crate::vision::jpeg_quick_look).map_err(|e| js_error(&e))?;
    let out = js_sys::Object::new();
    let rgba = js_sys::Uint8ClampedArray::from(look.rgba.as_slice());
    let fields: [(&str, JsValue); 5] = [
        ("width", look.width.into()),
        ("height", look.height.into()),
        ("rgba", rgba.into()),
        ("photoWidth", look.photo_width.into()),
        ("photoHeight", look.photo_height.into()),
    ];
    for (name, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str(name), &value);
    }
    Ok(out.into())
}

/// Faces in a JPEG or PNG file (decoded here, orientation applied).
#[wasm_bindgen(js_name = detectFaces)]
pub fn detect_faces(bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue> {
    let report = with_bytes(bytes, crate::vision::detect_faces).map_err(|e| js_error(&e))?;
    to_js(&report)
}

/// The photo cropped to its largest part without a face (JPEG or PNG, upright, colour profile
/// kept, no metadata); an `invalid-input` error when no such part is large enough to keep.
#[wasm_bindgen(js_name = cropFaces)]
pub fn crop_faces(bytes: &js_sys::Uint8Array) -> Result<Vec<u8>, JsValue> {
    with_bytes(bytes, crate::vision::crop_faces)
        .map(|(cropped, _)| cropped)
        .map_err(|e| js_error(&e))
}

/// The JPEG or PNG with every face pixelated and blurred; colour profile and orientation kept,
/// no other metadata. Without a face, the lossless strip (the fix always drops the metadata).
/// `on_progress`, if given, is called with the share of the work done (0 to 1) as each stage
/// ends, for a progress bar (what it throws is ignored).
#[wasm_bindgen(js_name = blurFaces)]
pub fn blur_faces(
    bytes: &js_sys::Uint8Array,
    on_progress: Option<js_sys::Function>,
) -> Result<Vec<u8>, JsValue> {
    let mut progress = |done: f32| {
        if let Some(f) = &on_progress {
            // Two decimals: an f32 share read as f64 would be 0.05000000074505806.
            let share = (f64::from(done) * 100.0).round() / 100.0;
            let _ = f.call1(&JsValue::NULL, &JsValue::from_f64(share));
        }
    };
    with_bytes(bytes, |b| {
        crate::vision::blur_faces_reporting(b, &mut progress)
    })
    .map(|(blurred, _)| blurred)
    .map_err(|e| js_error(&e))
}

/// How likely upright RGBA pixels (as a canvas gives them) show nudity:
/// `{score, flagged, classes: {drawing, hentai, neutral, porn, sexy}}`.
#[wasm_bindgen(js_name = detectNudityRgba)]
pub fn detect_nudity_rgba(rgba: &[u8], width: u32, height: u32) -> Result<JsValue, JsValue> {
    let nudity =
        crate::vision::detect_nudity_rgba(rgba, width, height).map_err(|e| js_error(&e))?;
    to_js(&nudity)
}

/// Parses the face and/or nudity models and runs them once on a grey picture of the quick look's
/// size (640 px), so that the first photo is looked at as fast as the next ones (called while the
/// person is still choosing).
#[wasm_bindgen(js_name = prepareVision)]
pub fn prepare_vision(faces: bool, nudity: bool) -> Result<(), JsValue> {
    crate::vision::prepare(faces, nudity).map_err(|e| js_error(&e))
}

/// The classifier on its own input (224×224×3 floats in 0..1): for checking it against
/// TensorFlow.js.
#[wasm_bindgen(js_name = classifyNudityInput)]
pub fn classify_nudity_input(input: &[f32]) -> Result<JsValue, JsValue> {
    let network = crate::vision::nudity::network().map_err(|e| js_error(&e))?;
    to_js(&network.classify(input).map_err(|e| js_error(&e))?)
}
