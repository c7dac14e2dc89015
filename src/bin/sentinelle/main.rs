//! `sentinelle`: the core's analysis, cleaning and hashing from a terminal.
//!
//! Exit status: 0 done, 1 the file could not be read or handled, 2 wrong usage. Errors are one
//! line on stderr, `sentinelle: error[CODE]: message`, with the core's stable codes plus `io`
//! (file system) and `usage`.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sentinelle::{Analysis, Dihedral, ImageHashes, Limits, PdqHash};

mod report;

const HELP: &str = "\
sentinelle - what a photo gives away, and a clean copy without it

Usage:
  sentinelle inspect FILE [--json]   list the metadata that identifies, locates or dates the photo,
                                     and its faces (JSON: faces with x, y, width, height, score,
                                     reusable, in upright pixels; crop: the part crop-faces would
                                     keep, or null) and whether it may show nudity (nudity: score
                                     0..1 and flagged)
  sentinelle strip IN OUT            write a copy of IN without that metadata (pixels untouched)
  sentinelle blur-faces IN OUT       write a copy of IN with every face pixelated and blurred
                                     (JPEG/PNG; colour profile and orientation kept, no metadata)
  sentinelle crop-faces IN OUT       write the largest part of IN without a face (JPEG/PNG,
                                     upright, colour profile kept, no metadata); fails when no
                                     face-free part is large enough to keep
  sentinelle hash FILE [--json]      the hashes helplines match images by: PDQ (with its quality
                                     and the 8 rotated/flipped variants), MD5, SHA-256
  sentinelle hash A B --distance [--json]
                                     PDQ distance between two images (A or B may also be a
                                     64-digit PDQ hash); 31 or less is a match
  sentinelle bundle --url URL [--title T] [--situation S] [--file F]... [--screenshot F]...
                  [--archive F]... [--image-hash F]... [--key KEYFILE] [--time UTC] OUT.zip
                                     an evidence bundle: the files, a manifest of their SHA-256,
                                     an Ed25519 signature (KEYFILE is made if missing; without
                                     it a one-time key); --image-hash keeps only an image's
                                     hashes; S: own-image, sextortion, child-abuse,
                                     deepfake-other, harassment
  sentinelle verify BUNDLE [--receipt FILE] [--json]
                                     check a bundle: signature, every file, nothing added; with
                                     --receipt, an intake's receipt for the report naming it
  sentinelle --version | --help

inspect and strip read JPEG, PNG and WebP; hash reads JPEG and PNG, at full resolution,
turned upright per EXIF. IN is never modified; OUT is replaced if it exists.
Exit status: 0 done (verify: the bundle is valid), 1 the file could not be handled (verify:
the bundle is not valid), 2 wrong usage.";

/// A failure to report: the stable code and a one-line message.
struct Failure {
    code: &'static str,
    message: String,
    exit: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: "usage",
            message: format!("{} (see sentinelle --help)", message.into()),
            exit: 2,
        }
    }

    fn io(message: String) -> Self {
        Failure {
            code: "io",
            message,
            exit: 1,
        }
    }
}

impl From<sentinelle::Error> for Failure {
    fn from(e: sentinelle::Error) -> Self {
        Failure {
            code: e.code().as_str(),
            message: e.message().to_string(),
            exit: 1,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("sentinelle: error[{}]: {}", failure.code, failure.message);
            ExitCode::from(failure.exit)
        }
    }
}

fn run(args: &[OsString]) -> Result<(), Failure> {
    let words: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    if words.len() != args.len() {
        // Paths are passed through as OsString below; only flags must be UTF-8.
        return run_paths(args);
    }
    match words.as_slice() {
        [] => Err(Failure::usage("no command given")),
        ["--help" | "-h" | "help"] => {
            println!("{HELP}");
            Ok(())
        }
        ["--version" | "-V"] => {
            println!("sentinelle {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        _ => run_paths(args),
    }
}

fn run_paths(args: &[OsString]) -> Result<(), Failure> {
    let command = args.first().and_then(|a| a.to_str()).unwrap_or_default();
    let rest = args.get(1..).unwrap_or_default();
    match command {
        "inspect" => {
            let json = rest.iter().any(|a| a == "--json");
            let files: Vec<&OsString> = rest.iter().filter(|a| *a != "--json").collect();
            match files.as_slice() {
                [file] => inspect(Path::new(file), json),
                _ => Err(Failure::usage("inspect takes exactly one FILE")),
            }
        }
        "hash" => {
            let flag = |name: &str| rest.iter().any(|a| a == name);
            let (json, distance) = (flag("--json"), flag("--distance"));
            let files: Vec<&OsString> = rest
                .iter()
                .filter(|a| *a != "--json" && *a != "--distance")
                .collect();
            match (distance, files.as_slice()) {
                (false, [file]) => hash(Path::new(file), json),
                (true, [a, b]) => distance_between(a, b, json),
                (false, _) => Err(Failure::usage(
                    "hash takes exactly one FILE (two with --distance)",
                )),
                (true, _) => Err(Failure::usage("hash --distance takes exactly two FILEs")),
            }
        }
        "crop-faces" => match rest {
            [input, output] => crop_faces(Path::new(input), Path::new(output)),
            _ => Err(Failure::usage("crop-faces takes IN and OUT")),
        },
        "blur-faces" => match rest {
            [input, output] => blur_faces(Path::new(input), Path::new(output)),
            _ => Err(Failure::usage("blur-faces takes IN and OUT")),
        },
        "bundle" => report::bundle(rest),
        "verify" => report::verify(rest),
        "strip" => match rest {
            [input, output] => strip(Path::new(input), Path::new(output)),
            _ => Err(Failure::usage("strip takes IN and OUT")),
        },
        other => Err(Failure::usage(format!("unknown command '{other}'"))),
    }
}

fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, Failure> {
    let shown = path.display();
    let meta = fs::metadata(path).map_err(|e| Failure::io(format!("cannot read {shown}: {e}")))?;
    // Refuse before reading a huge file into memory; the core would refuse it anyway.
    if usize::try_from(meta.len()).map_or(true, |len| len > limits.max_input_bytes) {
        return Err(Failure {
            code: sentinelle::ErrorCode::TooLarge.as_str(),
            message: format!(
                "{shown} is {} bytes, more than the {} allowed",
                meta.len(),
                limits.max_input_bytes
            ),
            exit: 1,
        });
    }
    fs::read(path).map_err(|e| Failure::io(format!("cannot read {shown}: {e}")))
}

fn inspect(path: &Path, json: bool) -> Result<(), Failure> {
    let limits = Limits::default();
    let bytes = read_input(path, &limits)?;
    // With the thumbnail comparison: a preview of another picture (a crop's original) is high
    // severity.
    let analysis = sentinelle::metadata::thumbnail::analyze_with_thumbnail_check(&bytes, &limits)?;
    // Faces and nudity are looked for in JPEG and PNG (one decode for both); other formats
    // report none rather than fail.
    let (faces, nudity) = match sentinelle::vision::look(&bytes) {
        Ok((faces, nudity)) => (Some(faces), Some(nudity)),
        Err(_) => (None, None),
    };
    if json {
        let mut value = serde_json::to_value(&analysis)
            .map_err(|e| Failure::io(format!("cannot write JSON: {e}")))?;
        if let Some(object) = value.as_object_mut() {
            object.insert(
                "faces".into(),
                serde_json::to_value(faces.as_ref().map(|f| &f.faces))
                    .unwrap_or(serde_json::Value::Null),
            );
            // The part of the photo "crop-faces" would keep, or null.
            object.insert(
                "crop".into(),
                serde_json::to_value(faces.as_ref().and_then(|f| f.crop))
                    .unwrap_or(serde_json::Value::Null),
            );
            object.insert(
                "nudity".into(),
                nudity
                    .map(|n| serde_json::json!({"score": n.score, "flagged": n.flagged}))
                    .unwrap_or(serde_json::Value::Null),
            );
        }
        println!("{value}");
    } else {
        print!("{}", plain_report(&path.display().to_string(), &analysis));
        if let Some(report) = &faces {
            let reusable = report.faces.iter().filter(|f| f.reusable).count();
            println!(
                "  faces: {} ({reusable} large and sharp enough to be reused)",
                report.faces.len()
            );
            if let Some(c) = report.crop {
                println!(
                    "  crop-faces would keep {}x{} from ({}, {}), without any face",
                    c.width, c.height, c.x, c.y
                );
            }
        }
        if let Some(n) = nudity {
            println!(
                "  nudity: score {:.2}{}",
                n.score,
                if n.flagged { " (flagged)" } else { "" }
            );
        }
    }
    Ok(())
}

fn blur_faces(input: &Path, output: &Path) -> Result<(), Failure> {
    if same_file(input, output) {
        return Err(Failure::usage(
            "OUT must differ from IN: the original is never overwritten",
        ));
    }
    let limits = Limits::default();
    let bytes = read_input(input, &limits)?;
    let (blurred, report) = sentinelle::vision::blur_faces(&bytes)?;
    write_atomically(output, &blurred)?;
    println!(
        "{}: {} face(s) blurred, {} bytes",
        output.display(),
        report.faces.len(),
        blurred.len()
    );
    Ok(())
}

fn crop_faces(input: &Path, output: &Path) -> Result<(), Failure> {
    if same_file(input, output) {
        return Err(Failure::usage(
            "OUT must differ from IN: the original is never overwritten",
        ));
    }
    let limits = Limits::default();
    let bytes = read_input(input, &limits)?;
    let (cropped, kept) = sentinelle::vision::crop_faces(&bytes)?;
    write_atomically(output, &cropped)?;
    println!(
        "{}: kept {}x{} from ({}, {}) of the upright photo, no face in it, {} bytes",
        output.display(),
        kept.width,
        kept.height,
        kept.x,
        kept.y,
        cropped.len()
    );
    Ok(())
}

fn plain_report(name: &str, analysis: &Analysis) -> String {
    let mut out = String::new();
    let count = analysis.findings.len();
    if count == 0 {
        out.push_str(&format!(
            "{name}: nothing found that identifies, locates or dates this photo\n"
        ));
        return out;
    }
    let plural = if count == 1 { "" } else { "s" };
    out.push_str(&format!("{name}: {count} finding{plural}\n"));
    for f in &analysis.findings {
        let category = serde_json::to_value(f.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!("  {category:<13} {:<24} {}\n", f.field, f.value));
    }
    if let Some(p) = analysis.location {
        let altitude = p
            .altitude_m
            .map(|a| format!(", altitude {a:.1} m"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  position: {:.6}, {:.6}{altitude}\n",
            p.latitude, p.longitude
        ));
    }
    out
}

fn hash(path: &Path, json: bool) -> Result<(), Failure> {
    let limits = Limits::default();
    let bytes = read_input(path, &limits)?;
    let hashes = sentinelle::hash_image_with_limits(&bytes, &limits)?;
    if json {
        let text = serde_json::to_string(&hashes)
            .map_err(|e| Failure::io(format!("cannot write JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", plain_hashes(&path.display().to_string(), &hashes));
    }
    Ok(())
}

fn plain_hashes(name: &str, hashes: &ImageHashes) -> String {
    let mut out = format!("{name}\n");
    if let Some(pdq) = &hashes.pdq {
        out.push_str(&format!(
            "  PDQ      {}  quality {}{}\n",
            pdq.hash,
            pdq.quality,
            low_quality_note(pdq.quality)
        ));
    }
    out.push_str(&format!("  MD5      {}\n", hashes.md5));
    out.push_str(&format!("  SHA-256  {}\n", hashes.sha256));
    if let Some(pdq) = &hashes.pdq {
        out.push_str("  PDQ of the image turned or flipped:\n");
        for (which, hash) in Dihedral::ALL.iter().zip(&pdq.dihedral).skip(1) {
            out.push_str(&format!("    {:<10} {hash}\n", which.name()));
        }
    }
    out
}

fn low_quality_note(quality: u8) -> &'static str {
    if quality < sentinelle::PDQ_MIN_QUALITY {
        " (too low to match on: the image is nearly flat)"
    } else {
        ""
    }
}

/// A PDQ hash from an image file, or from the argument itself when it is 64 hex digits and
/// not the name of a file. Returns the hash and, for a file, its quality.
fn pdq_of(arg: &OsString) -> Result<(PdqHash, Option<u8>), Failure> {
    let path = Path::new(arg);
    if !path.exists() {
        if let Some(hash) = arg.to_str().and_then(|t| PdqHash::from_hex(t.trim()).ok()) {
            return Ok((hash, None));
        }
    }
    let limits = Limits::default();
    let bytes = read_input(path, &limits)?;
    let hashes = sentinelle::hash_image_with_limits(&bytes, &limits)?;
    let pdq = hashes.pdq.ok_or_else(|| Failure {
        code: sentinelle::ErrorCode::UnsupportedFormat.as_str(),
        message: format!("{} has no PDQ hash", path.display()),
        exit: 1,
    })?;
    let hash = PdqHash::from_hex(&pdq.hash)?;
    Ok((hash, Some(pdq.quality)))
}

fn distance_between(a: &OsString, b: &OsString, json: bool) -> Result<(), Failure> {
    let (hash_a, quality_a) = pdq_of(a)?;
    let (hash_b, quality_b) = pdq_of(b)?;
    let distance = hash_a.distance(&hash_b);
    let matched = distance <= sentinelle::PDQ_MATCH_THRESHOLD;
    if json {
        let value = serde_json::json!({
            "distance": distance,
            "match": matched,
            "threshold": sentinelle::PDQ_MATCH_THRESHOLD,
        });
        println!("{value}");
        return Ok(());
    }
    let verdict = if matched { "match" } else { "no match" };
    println!(
        "distance {distance}: {verdict} ({} or less is a match)",
        sentinelle::PDQ_MATCH_THRESHOLD
    );
    for (arg, quality) in [(a, quality_a), (b, quality_b)] {
        if let Some(q) = quality.filter(|q| *q < sentinelle::PDQ_MIN_QUALITY) {
            println!(
                "note: {} has PDQ quality {q}, too low to match on",
                Path::new(arg).display()
            );
        }
    }
    Ok(())
}

fn strip(input: &Path, output: &Path) -> Result<(), Failure> {
    if same_file(input, output) {
        return Err(Failure::usage(
            "OUT must differ from IN: the original is never overwritten",
        ));
    }
    let limits = Limits::default();
    let bytes = read_input(input, &limits)?;
    let clean = sentinelle::strip_metadata_with_limits(&bytes, &limits)?;
    write_atomically(output, &clean)?;
    // HEIF and AVIF are cleaned in place (metadata overwritten, sizes kept, so no image data
    // moves): count the bytes that changed there.
    let overwritten = if clean.len() + 64 >= bytes.len() {
        clean.iter().zip(&bytes).filter(|(a, b)| a != b).count()
    } else {
        0
    };
    let removed = bytes.len().saturating_sub(clean.len());
    if matches!(
        sentinelle::media::sniff::sniff(&bytes),
        sentinelle::media::sniff::Container::Heif | sentinelle::media::sniff::Container::Avif
    ) {
        println!(
            "{}: wrote {} bytes ({removed} bytes of metadata removed, {overwritten} overwritten with zeros)",
            output.display(),
            clean.len(),
        );
    } else {
        println!(
            "{}: wrote {} bytes ({removed} bytes of metadata removed)",
            output.display(),
            clean.len(),
        );
    }
    Ok(())
}

/// True when both paths name the same file (same path, a symlink or a hard link to it).
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ca), Ok(cb)) = (fs::canonicalize(a), fs::canonicalize(b)) {
        if ca == cb {
            return true;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    false
}

/// Writes to a temporary file beside OUT, then renames it over OUT, so a crash or a full
/// disk never leaves a half-written photo under the final name.
fn write_atomically(output: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let shown = output.display();
    let file_name = output
        .file_name()
        .ok_or_else(|| Failure::usage(format!("{shown} is not a file name")))?;
    let mut temp_name = OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".sentinelle-{}.tmp", std::process::id()));
    let temp: PathBuf = output.with_file_name(temp_name);

    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, output)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        Failure::io(format!("cannot write {shown}: {e}"))
    })
}
