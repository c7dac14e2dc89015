//! Building an evidence bundle: a zip with the captured files, `manifest.json` (what, when,
//! where, SHA-256 of each file, software version) and `signature.json` (Ed25519 over the exact
//! bytes of the manifest).

use std::io::{Cursor, Write as _};

use serde::Deserialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::manifest::{
    Artefact, ArtefactKind, ImageRecord, Manifest, Page, SignatureFile, Software, CHILD_ABUSE,
    FORMAT, MANIFEST_PATH, SIGNATURE_PATH, SITUATIONS, STATEMENT, VERSION,
};
use super::signing;
use super::timestamp::parse_utc;
use crate::{sha256_hex, Error};

/// Most files a bundle holds besides its manifest, signature and README.
pub const MAX_FILES: usize = 32;
/// Most bytes of all files together (256 MiB).
pub const MAX_TOTAL_BYTES: usize = 256 * 1024 * 1024;
/// Longest URL kept (a `data:` URL is refused: the caller says "inline image" instead).
pub const MAX_URL_CHARS: usize = 8192;
/// Longest title kept; a longer one is cut (a page chooses its own title).
pub const MAX_TITLE_CHARS: usize = 1000;

/// Where the README sits in every bundle.
pub const README_PATH: &str = "README.txt";

/// What to put in a bundle, apart from the file contents (given alongside, in the same order as
/// `files`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRequest {
    /// `Sentinelle extension` or `Sentinelle CLI`.
    pub software_name: String,
    /// The version of that software.
    pub software_version: String,
    /// UTC time of capture, `2026-11-23T14:05:09Z`.
    pub captured_at: String,
    /// The page reported.
    pub url: String,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// What happened (one of [`SITUATIONS`]).
    #[serde(default)]
    pub situation: Option<String>,
    /// Images identified by hashes.
    #[serde(default)]
    pub images: Vec<ImageRecord>,
    /// The files, described.
    #[serde(default)]
    pub files: Vec<FileSpec>,
}

/// One file to add.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// File name, stored as `artefacts/NAME`: letters, digits, `.`, `_`, `-`; at most 100.
    pub name: String,
    /// What it is.
    pub kind: ArtefactKind,
    /// MIME type.
    pub media_type: String,
}

/// Builds the zip. `contents[i]` is the content of `request.files[i]`; `seed` is the device
/// key's 32-byte seed. The same request, contents and seed give the same bytes.
///
/// Refuses (`forbidden`) a child-abuse report that holds a screenshot, a page archive or an
/// image file: such reports carry URLs and hashes only.
pub fn build_bundle(
    request: &BundleRequest,
    contents: &[&[u8]],
    seed: &[u8],
) -> Result<Vec<u8>, Error> {
    let key = signing::signing_key(seed)?;
    let time = parse_utc(&request.captured_at)?;
    check_request(request, contents)?;

    let mut artefacts = Vec::with_capacity(request.files.len() + 1);
    for (spec, bytes) in request.files.iter().zip(contents) {
        artefacts.push(Artefact {
            path: format!("artefacts/{}", spec.name),
            kind: spec.kind,
            media_type: spec.media_type.clone(),
            size: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
    }
    let title = request.title.as_deref().map(clean_title);
    let key_info = signing::describe(&key.verifying_key());
    let readme = readme(request, title.as_deref(), &artefacts, &key_info.fingerprint);
    artefacts.push(Artefact {
        path: README_PATH.to_owned(),
        kind: ArtefactKind::Readme,
        media_type: "text/plain; charset=utf-8".to_owned(),
        size: readme.len() as u64,
        sha256: sha256_hex(readme.as_bytes()),
    });

    let manifest = Manifest {
        format: FORMAT.to_owned(),
        version: VERSION,
        software: Software {
            name: request.software_name.clone(),
            version: request.software_version.clone(),
            engine: env!("CARGO_PKG_VERSION").to_owned(),
        },
        captured_at: request.captured_at.clone(),
        page: Page {
            url: request.url.clone(),
            title,
        },
        situation: request.situation.clone(),
        images: request.images.clone(),
        artefacts,
        key: key_info.clone(),
        statement: STATEMENT.to_owned(),
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::invalid(format!("the manifest could not be written: {e}")))?;
    let signature = SignatureFile {
        algorithm: key_info.algorithm,
        public_key: key_info.public_key,
        signature: signing::sign(&key, &manifest_bytes),
        signed_file: MANIFEST_PATH.to_owned(),
    };
    let signature_bytes = serde_json::to_vec_pretty(&signature)
        .map_err(|e| Error::invalid(format!("the signature could not be written: {e}")))?;

    // Zip times are local-less DOS times; writing the capture time (UTC) makes the bundle
    // reproducible. Years outside 1980–2107 cannot be written, so fall back to the zip epoch.
    let stamp = DateTime::from_date_and_time(
        time.year,
        time.month,
        time.day,
        time.hour,
        time.minute,
        time.second,
    )
    .unwrap_or_default();
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut add = |path: &str, bytes: &[u8], method: CompressionMethod| -> Result<(), Error> {
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(stamp)
            .unix_permissions(0o644)
            .large_file(bytes.len() >= u32::MAX as usize);
        zip.start_file(path, options)
            .and_then(|()| zip.write_all(bytes).map_err(Into::into))
            .map_err(|e| Error::invalid(format!("the bundle could not be written: {e}")))
    };
    add(MANIFEST_PATH, &manifest_bytes, CompressionMethod::Deflated)?;
    add(
        SIGNATURE_PATH,
        &signature_bytes,
        CompressionMethod::Deflated,
    )?;
    add(README_PATH, readme.as_bytes(), CompressionMethod::Deflated)?;
    for (spec, bytes) in request.files.iter().zip(contents) {
        // Pictures are compressed already; text (MHTML, JSON) shrinks a lot.
        let method = if spec.media_type.starts_with("image/") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        add(&format!("artefacts/{}", spec.name), bytes, method)?;
    }
    zip.finish()
        .map(Cursor::into_inner)
        .map_err(|e| Error::invalid(format!("the bundle could not be finished: {e}")))
}

fn check_request(request: &BundleRequest, contents: &[&[u8]]) -> Result<(), Error> {
    if request.files.len() != contents.len() {
        return Err(Error::invalid(format!(
            "{} files described but {} given",
            request.files.len(),
            contents.len()
        )));
    }
    if request.files.len() > MAX_FILES {
        return Err(Error::too_large(format!(
            "a bundle holds at most {MAX_FILES} files"
        )));
    }
    let total: usize = contents.iter().map(|c| c.len()).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(Error::too_large(format!(
            "the files come to {total} bytes, more than the {MAX_TOTAL_BYTES} a bundle holds"
        )));
    }
    check_url("page address", &request.url)?;
    for image in &request.images {
        if let Some(url) = &image.url {
            check_url("image address", url)?;
        }
        check_hex("MD5", &image.md5, 32)?;
        check_hex("SHA-256", &image.sha256, 64)?;
        if let Some(pdq) = &image.pdq {
            check_hex("PDQ", pdq, 64)?;
        }
    }
    check_text("software name", &request.software_name, 100)?;
    check_text("software version", &request.software_version, 100)?;
    if let Some(situation) = &request.situation {
        if !SITUATIONS.contains(&situation.as_str()) {
            return Err(Error::invalid(format!(
                "unknown situation {situation:?}; one of {SITUATIONS:?}"
            )));
        }
    }
    let mut names: Vec<&str> = Vec::with_capacity(request.files.len());
    for spec in &request.files {
        check_name(&spec.name)?;
        if names.contains(&spec.name.as_str()) {
            return Err(Error::invalid(format!(
                "two files are named {:?}",
                spec.name
            )));
        }
        names.push(&spec.name);
        check_text("media type", &spec.media_type, 100)?;
        if spec.kind == ArtefactKind::Readme {
            return Err(Error::invalid("the README is written by the bundle itself"));
        }
        if request.situation.as_deref() == Some(CHILD_ABUSE) && spec.kind.carries_pictures() {
            return Err(Error::forbidden(format!(
                "{:?} is a {:?}: a report of child sexual abuse material keeps no picture or copy \
                 of the content, only addresses and hashes",
                spec.name, spec.kind
            )));
        }
    }
    Ok(())
}

pub(crate) fn check_url(what: &str, url: &str) -> Result<(), Error> {
    if url.is_empty() || url.chars().count() > MAX_URL_CHARS {
        return Err(Error::invalid(format!(
            "the {what} must have 1 to {MAX_URL_CHARS} characters"
        )));
    }
    if url.starts_with("data:") {
        return Err(Error::invalid(format!(
            "the {what} is a data: URL, which holds the content itself; give no address instead"
        )));
    }
    if url.chars().any(char::is_control) || url.contains(' ') {
        return Err(Error::invalid(format!(
            "the {what} contains spaces or control characters"
        )));
    }
    Ok(())
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), Error> {
    if text.is_empty() || text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "the {what} must be 1 to {max} characters with no control characters"
        )));
    }
    Ok(())
}

fn check_hex(what: &str, text: &str, len: usize) -> Result<(), Error> {
    if text.len() != len || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(Error::invalid(format!(
            "the {what} must be {len} lowercase hex digits"
        )));
    }
    Ok(())
}

pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "file name {name:?} must be 1 to 100 letters, digits, '.', '_' or '-', not starting with '.'"
        )))
    }
}

/// The title as kept: control characters become spaces, and it is cut at
/// [`MAX_TITLE_CHARS`].
fn clean_title(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned.chars().count() > MAX_TITLE_CHARS {
        let mut cut: String = cleaned.chars().take(MAX_TITLE_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        cleaned
    }
}

fn readme(
    request: &BundleRequest,
    title: Option<&str>,
    artefacts: &[Artefact],
    fingerprint: &str,
) -> String {
    let mut text = String::from("Sentinelle evidence bundle\n==========================\n\n");
    text.push_str(&format!("Page:            {}\n", request.url));
    if let Some(title) = title {
        text.push_str(&format!("Title:           {title}\n"));
    }
    text.push_str(&format!("Captured (UTC):  {}\n", request.captured_at));
    if let Some(situation) = &request.situation {
        text.push_str(&format!("Situation:       {situation}\n"));
    }
    text.push_str(&format!("Key fingerprint: {fingerprint}\n\nFiles:\n"));
    for a in artefacts {
        text.push_str(&format!(
            "  {}  {} bytes  SHA-256 {}\n",
            a.path, a.size, a.sha256
        ));
    }
    if !request.images.is_empty() {
        text.push_str("\nImages (hashes only):\n");
        for image in &request.images {
            text.push_str(&format!(
                "  {}\n    MD5 {}\n    SHA-256 {}\n",
                image.url.as_deref().unwrap_or("(no address)"),
                image.md5,
                image.sha256
            ));
            if let Some(pdq) = &image.pdq {
                text.push_str(&format!(
                    "    PDQ {pdq} (quality {})\n",
                    image.pdq_quality.unwrap_or(0)
                ));
            }
        }
    }
    text.push_str(&format!(
        "\nWhat this proves\n----------------\n{STATEMENT}\n\nHow to check it\n---------------\n\
         manifest.json lists every file with its SHA-256; signature.json holds an Ed25519 \
         signature of manifest.json by the key above. Check both with `sentinelle verify \
         BUNDLE.zip` or the verification page (www/verify/) of the Sentinelle project, which \
         runs on your own computer and sends nothing.\n"
    ));
    text
}
