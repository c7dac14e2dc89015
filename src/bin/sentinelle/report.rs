//! `sentinelle bundle` and `sentinelle verify`: evidence bundles without a browser, so a
//! helpline can check what a person sends and tests can make bundles from files.

use std::ffi::OsString;
use std::fs;
use std::path::Path;

use sentinelle::report::{
    self, ArtefactKind, BundleRequest, FileSpec, ImageRecord, ProblemCode, Verification,
};
use sentinelle::Limits;

use super::{read_input, write_atomically, Failure};

/// Options of `sentinelle bundle`.
#[derive(Default)]
struct BundleArgs {
    url: Option<String>,
    title: Option<String>,
    situation: Option<String>,
    time: Option<String>,
    key: Option<OsString>,
    files: Vec<(OsString, Option<ArtefactKind>)>,
    images: Vec<OsString>,
    out: Option<OsString>,
}

pub(crate) fn bundle(rest: &[OsString]) -> Result<(), Failure> {
    let args = parse_bundle_args(rest)?;
    let url = args
        .url
        .ok_or_else(|| Failure::usage("bundle needs --url URL"))?;
    let out = args
        .out
        .ok_or_else(|| Failure::usage("bundle needs the OUT.zip to write"))?;
    let seed = match &args.key {
        Some(path) => load_or_create_key(Path::new(path))?,
        None => fresh_seed()?,
    };
    let captured_at = match args.time {
        Some(t) => t,
        None => now_utc()?,
    };

    let limits = Limits::default();
    let mut specs = Vec::new();
    let mut contents = Vec::new();
    for (path, kind) in &args.files {
        let path = Path::new(path);
        let bytes = read_input(path, &limits)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(plain_name)
            .unwrap_or_else(|| "file".to_owned());
        let media_type = media_type_of(&name, &bytes);
        let kind = kind.unwrap_or(if media_type.starts_with("image/") {
            ArtefactKind::Image
        } else if media_type == "multipart/related" {
            ArtefactKind::Archive
        } else {
            ArtefactKind::Document
        });
        specs.push(FileSpec {
            name: unique(&specs, name),
            kind,
            media_type,
        });
        contents.push(bytes);
    }
    let mut images = Vec::new();
    for path in &args.images {
        let bytes = read_input(Path::new(path), &limits)?;
        let hashes = sentinelle::hash_image_with_limits(&bytes, &limits).ok();
        let pdq = hashes.as_ref().and_then(|h| h.pdq.as_ref());
        images.push(ImageRecord {
            url: None,
            md5: sentinelle::md5_hex(&bytes),
            sha256: sentinelle::sha256_hex(&bytes),
            pdq: pdq.map(|p| p.hash.clone()),
            pdq_quality: pdq.map(|p| u32::from(p.quality)),
        });
    }
    let request = BundleRequest {
        software_name: "Sentinelle CLI".to_owned(),
        software_version: env!("CARGO_PKG_VERSION").to_owned(),
        captured_at,
        url,
        title: args.title,
        situation: args.situation,
        images,
        files: specs,
    };
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    let zip = report::build_bundle(&request, &slices, &seed)?;
    let key = report::public_key_info(&seed)?;
    write_atomically(Path::new(&out), &zip)?;
    println!(
        "{}: evidence bundle with {} file(s) and {} image hash(es), {} bytes; key {}{}",
        Path::new(&out).display(),
        request.files.len() + 1,
        request.images.len(),
        zip.len(),
        key.fingerprint,
        if args.key.is_none() {
            " (made for this bundle only; use --key FILE to keep one)"
        } else {
            ""
        }
    );
    Ok(())
}

fn parse_bundle_args(rest: &[OsString]) -> Result<BundleArgs, Failure> {
    let mut args = BundleArgs::default();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::usage(format!("{flag} needs a value")))
        };
        let text = |v: OsString, flag: &str| {
            v.into_string()
                .map_err(|_| Failure::usage(format!("{flag} must be UTF-8 text")))
        };
        match arg.to_str() {
            Some("--url") => args.url = Some(text(value("--url")?, "--url")?),
            Some("--title") => args.title = Some(text(value("--title")?, "--title")?),
            Some("--situation") => {
                args.situation = Some(text(value("--situation")?, "--situation")?)
            }
            Some("--time") => args.time = Some(text(value("--time")?, "--time")?),
            Some("--key") => args.key = Some(value("--key")?),
            Some("--file") => args.files.push((value("--file")?, None)),
            Some("--screenshot") => args
                .files
                .push((value("--screenshot")?, Some(ArtefactKind::Screenshot))),
            Some("--archive") => args
                .files
                .push((value("--archive")?, Some(ArtefactKind::Archive))),
            Some("--image-hash") => args.images.push(value("--image-hash")?),
            Some(flag) if flag.starts_with("--") => {
                return Err(Failure::usage(format!("unknown option {flag}")))
            }
            _ if args.out.is_none() => args.out = Some(arg.clone()),
            _ => return Err(Failure::usage("bundle writes one OUT.zip")),
        }
    }
    Ok(args)
}

/// A file name the bundle accepts: other characters become `_`.
fn plain_name(name: &str) -> String {
    let mut plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(90)
        .collect();
    if plain.starts_with('.') || plain.is_empty() {
        plain.insert(0, 'f');
    }
    plain
}

fn unique(specs: &[FileSpec], name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while specs.iter().any(|s| s.name == candidate) {
        candidate = format!("{n}-{name}");
        n += 1;
    }
    candidate
}

fn media_type_of(name: &str, bytes: &[u8]) -> String {
    let lower = name.to_ascii_lowercase();
    let by_magic = match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'%', b'P', b'D', b'F', ..] => Some("application/pdf"),
        _ => None,
    };
    let by_name = if lower.ends_with(".mhtml") || lower.ends_with(".mht") {
        "multipart/related"
    } else if lower.ends_with(".json") {
        "application/json"
    } else if lower.ends_with(".txt") {
        "text/plain; charset=utf-8"
    } else if lower.ends_with(".html") || lower.ends_with(".htm") {
        "text/html"
    } else {
        "application/octet-stream"
    };
    by_magic.unwrap_or(by_name).to_owned()
}

/// The key file holds the 32-byte seed as 64 hex digits. Made with mode 0600 if missing.
fn load_or_create_key(path: &Path) -> Result<Vec<u8>, Failure> {
    let shown = path.display();
    match fs::read_to_string(path) {
        Ok(text) => {
            let hex = text.trim();
            let seed: Option<Vec<u8>> = (hex.len() == 64)
                .then(|| {
                    (0..32)
                        .map(|i| {
                            hex.get(i * 2..i * 2 + 2)
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                        })
                        .collect()
                })
                .flatten();
            seed.ok_or_else(|| Failure {
                code: "invalid-input",
                message: format!("{shown} is not a Sentinelle key file (64 hex digits)"),
                exit: 1,
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed = fresh_seed()?;
            let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            use std::io::Write as _;
            options
                .open(path)
                .and_then(|mut f| f.write_all(format!("{hex}\n").as_bytes()))
                .map_err(|e| Failure::io(format!("cannot create key file {shown}: {e}")))?;
            Ok(seed)
        }
        Err(e) => Err(Failure::io(format!("cannot read key file {shown}: {e}"))),
    }
}

fn fresh_seed() -> Result<Vec<u8>, Failure> {
    let mut seed = vec![0u8; 32];
    fill_random(&mut seed)?;
    Ok(seed)
}

#[cfg(not(target_arch = "wasm32"))]
fn fill_random(bytes: &mut [u8]) -> Result<(), Failure> {
    getrandom::fill(bytes).map_err(|e| Failure::io(format!("no randomness for a key: {e}")))
}

/// The CLI is a native program; the wasm boundary tests merely compile it for wasm32.
#[cfg(target_arch = "wasm32")]
fn fill_random(_bytes: &mut [u8]) -> Result<(), Failure> {
    Err(Failure::io("no randomness on this target".to_owned()))
}

fn now_utc() -> Result<String, Failure> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| Failure::io("the system clock is before 1970".to_owned()))?
        .as_secs();
    Ok(report::format_unix_seconds(seconds))
}

pub(crate) fn verify(rest: &[OsString]) -> Result<(), Failure> {
    let json = rest.iter().any(|a| a == "--json");
    let mut receipt_path = None;
    let mut files = Vec::new();
    let mut args = rest.iter().filter(|a| *a != "--json");
    while let Some(arg) = args.next() {
        if arg == "--receipt" {
            receipt_path = Some(Path::new(
                args.next()
                    .ok_or_else(|| Failure::usage("--receipt needs a FILE"))?,
            ));
        } else {
            files.push(arg);
        }
    }
    let [file] = files.as_slice() else {
        return Err(Failure::usage("verify takes exactly one BUNDLE"));
    };
    let path = Path::new(file);
    let bytes = read_input(path, &Limits::default())?;
    let verification = report::verify_bundle(&bytes)?;
    let receipt = match receipt_path {
        Some(receipt_path) => {
            let manifest_sha = report::bundle_file(&bytes, "manifest.json")
                .ok()
                .map(|m| sentinelle::sha256_hex(&m));
            let text = read_input(receipt_path, &Limits::default())?;
            Some((
                receipt_path,
                report::check_receipt_file(&text, Some(manifest_sha.as_deref().unwrap_or("")))?,
            ))
        }
        None => None,
    };
    if json {
        let value = match &receipt {
            None => serde_json::to_value(&verification),
            Some((_, check)) => serde_json::to_value(serde_json::json!({
                "bundle": verification, "receipt": check,
            })),
        };
        let text = value
            .and_then(|v| serde_json::to_string_pretty(&v))
            .map_err(|e| Failure::io(format!("cannot write JSON: {e}")))?;
        println!("{text}");
    } else {
        print_verification(path, &verification);
        if let Some((receipt_path, check)) = &receipt {
            print_receipt(receipt_path, check);
        }
    }
    if !verification.valid {
        return Err(Failure {
            code: "bundle-invalid",
            message: format!(
                "{} is not a valid bundle: {}",
                path.display(),
                verification
                    .problems
                    .first()
                    .map(|p| p.message.as_str())
                    .unwrap_or("unknown problem")
            ),
            exit: 1,
        });
    }
    match receipt {
        Some((receipt_path, check)) if !check.valid => Err(Failure {
            code: "receipt-invalid",
            message: format!(
                "{} is not a valid receipt for this bundle",
                receipt_path.display()
            ),
            exit: 1,
        }),
        _ => Ok(()),
    }
}

fn print_receipt(path: &Path, check: &report::ReceiptCheck) {
    if check.valid {
        println!(
            "{}: VALID RECEIPT: {} received the report naming this evidence file at {} (UTC), signed by its key {}",
            path.display(),
            check.intake,
            check.received_at,
            check.key_fingerprint
        );
    } else {
        println!("{}: NOT A VALID RECEIPT FOR THIS BUNDLE", path.display());
        for p in &check.problems {
            let (code, text) = match p {
                report::ReceiptProblem::ReceiptInvalid => (
                    "receipt-invalid",
                    "not a receipt this version reads, or unreadable",
                ),
                report::ReceiptProblem::KeyMismatch => {
                    ("key-mismatch", "the fingerprint is not the key's")
                }
                report::ReceiptProblem::SignatureInvalid => (
                    "signature-invalid",
                    "the signature does not match: the receipt was edited",
                ),
                report::ReceiptProblem::ReportMismatch => (
                    "report-mismatch",
                    "the report kept with it is not the one the intake signed for",
                ),
                report::ReceiptProblem::BundleMismatch => (
                    "bundle-mismatch",
                    "the report named another evidence file (or none)",
                ),
            };
            println!("  [{code}] {text}");
        }
    }
}

fn print_verification(path: &Path, v: &Verification) {
    if v.valid {
        println!(
            "{}: VALID: every file is as it was when captured, signed by key {}",
            path.display(),
            v.manifest
                .as_ref()
                .map(|m| m.key.fingerprint.as_str())
                .unwrap_or("?")
        );
    } else {
        println!("{}: NOT VALID", path.display());
        for p in &v.problems {
            let at = p
                .path
                .as_deref()
                .map(|p| format!(" {p}:"))
                .unwrap_or_default();
            println!("  [{}]{at} {}", code_str(p.code), p.message);
        }
    }
    if let Some(m) = &v.manifest {
        println!("Page:            {}", m.page.url);
        if let Some(title) = &m.page.title {
            println!("Title:           {title}");
        }
        println!("Captured (UTC):  {}", m.captured_at);
        if let Some(s) = &m.situation {
            println!("Situation:       {s}");
        }
        println!(
            "Made by:         {} {} (engine {})",
            m.software.name, m.software.version, m.software.engine
        );
        for image in &m.images {
            println!(
                "Image:           {}  MD5 {}  SHA-256 {}{}",
                image.url.as_deref().unwrap_or("(no address)"),
                image.md5,
                image.sha256,
                image
                    .pdq
                    .as_deref()
                    .map(|p| format!("  PDQ {p}"))
                    .unwrap_or_default()
            );
        }
    }
    println!("Files:");
    for f in &v.files {
        println!(
            "  {}  {}  {} bytes",
            if f.ok { "ok     " } else { "PROBLEM" },
            f.path,
            f.size.map(|s| s.to_string()).unwrap_or_else(|| "?".into())
        );
    }
    if let Some(m) = &v.manifest {
        println!("\n{}", m.statement);
    }
}

fn code_str(code: ProblemCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
