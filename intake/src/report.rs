//! The `sentinelle-report-1` body (docs/report-format.md), read strictly: a report is hostile
//! input, so every field has a type, a length limit and a shape, and an unknown field is an
//! error (as a manifest's is). What passes is stored as sent and shown only as escaped text.

use sentinelle::PdqHash;
use serde::{Deserialize, Serialize};

use crate::url_norm;

/// The only format this intake takes.
pub const FORMAT: &str = "sentinelle-report-1";
/// The largest report body (256 KiB): 64 images with long addresses fit many times over.
pub const MAX_REPORT_BYTES: usize = 256 * 1024;
/// Most images one report may list.
pub const MAX_IMAGES: usize = 64;
const MAX_URL: usize = 8192;
const MAX_TEXT: usize = 2048;
const MAX_ID: usize = 100;

/// The situations, as the extension names them.
pub const SITUATIONS: &[&str] = &[
    "own-image",
    "sextortion",
    "child-abuse",
    "deepfake-other",
    "harassment",
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub format: String,
    pub helpline: String,
    pub situation: Option<String>,
    pub minor: bool,
    pub country: Option<String>,
    pub language: Option<String>,
    pub page: Page,
    pub captured_at: Option<String>,
    #[serde(default)]
    pub images: Vec<Image>,
    pub evidence: Option<EvidenceRef>,
    pub software: Option<Software>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub url: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub url: Option<String>,
    pub md5: Option<String>,
    pub sha256: Option<String>,
    pub pdq: Option<String>,
    pub pdq_quality: Option<u8>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRef {
    pub file_name: Option<String>,
    pub manifest_sha256: String,
    pub key_fingerprint: String,
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    pub name: String,
    pub version: String,
}

/// Why a report was refused: the field (a JSON path) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// What deduplication and triage need from a report, computed once when it arrives.
#[derive(Debug, Clone)]
pub struct Keys {
    /// The page's address, normalised.
    pub page_url: String,
    /// `(kind, value)`: `url` (page and image addresses, normalised), `sha256`, `md5` (lowercase).
    pub exact: Vec<(&'static str, String)>,
    /// The images' PDQ hashes with their quality.
    pub pdq: Vec<(PdqHash, Option<u8>)>,
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn text(field: &str, value: &str, max: usize) -> Result<(), Invalid> {
    if value.len() > max {
        return Err(invalid(field, format!("longer than {max} bytes")));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(invalid(field, "holds control characters"));
    }
    Ok(())
}

/// Parses and checks a report body. `Err` names the first field that is wrong.
pub fn parse(body: &[u8]) -> Result<(Report, Keys), Invalid> {
    let report: Report = serde_json::from_slice(body).map_err(|e| {
        // serde's message names the field and the position; it never echoes long input back.
        invalid(
            "body",
            format!("not a sentinelle-report-1 JSON object ({e})"),
        )
    })?;
    let keys = check(&report)?;
    Ok((report, keys))
}

fn check(r: &Report) -> Result<Keys, Invalid> {
    if r.format != FORMAT {
        return Err(invalid("format", format!("must be {FORMAT:?}")));
    }
    if r.helpline.is_empty()
        || r.helpline.len() > MAX_ID
        || !r
            .helpline
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(invalid(
            "helpline",
            "a helpline id: letters, digits, '-', '_' or '.'",
        ));
    }
    if let Some(s) = &r.situation {
        if !SITUATIONS.contains(&s.as_str()) {
            return Err(invalid(
                "situation",
                format!("one of {}", SITUATIONS.join(", ")),
            ));
        }
    }
    if let Some(c) = &r.country {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "country",
                "two capital letters (ISO 3166-1), or null",
            ));
        }
    }
    if let Some(l) = &r.language {
        if l.is_empty()
            || l.len() > 35
            || !l
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid("language", "a language tag such as fr or fr-BE"));
        }
    }
    text("page.url", &r.page.url, MAX_URL)?;
    let page_url = url_norm::normalise(&r.page.url)
        .ok_or_else(|| invalid("page.url", "an absolute http or https address"))?;
    if let Some(t) = &r.page.title {
        if t.len() > MAX_TEXT {
            return Err(invalid(
                "page.title",
                format!("longer than {MAX_TEXT} bytes"),
            ));
        }
    }
    if let Some(t) = &r.captured_at {
        sentinelle::report::parse_utc(t)
            .map_err(|_| invalid("captured_at", "a UTC time like 2026-11-23T14:05:09Z"))?;
    }
    if r.images.len() > MAX_IMAGES {
        return Err(invalid("images", format!("at most {MAX_IMAGES}")));
    }
    let mut exact = vec![("url", page_url.clone())];
    let mut pdq = Vec::new();
    for (i, image) in r.images.iter().enumerate() {
        let at = |name: &str| format!("images[{i}].{name}");
        if let Some(u) = &image.url {
            // An image inline in the page (`data:`) has its bytes as its address: only the
            // body's own limit bounds it. It gives no address to compare.
            let inline = u.starts_with("data:");
            text(
                &at("url"),
                u,
                if inline { MAX_REPORT_BYTES } else { MAX_URL },
            )?;
            // A data: or blob: image has no address to compare; keep the report, skip the key.
            if let Some(n) = url_norm::normalise(u) {
                exact.push(("url", n));
            }
        }
        if let Some(h) = &image.md5 {
            if !is_hex(h, 32) {
                return Err(invalid(at("md5"), "32 hexadecimal digits"));
            }
            exact.push(("md5", h.to_ascii_lowercase()));
        }
        if let Some(h) = &image.sha256 {
            if !is_hex(h, 64) {
                return Err(invalid(at("sha256"), "64 hexadecimal digits"));
            }
            exact.push(("sha256", h.to_ascii_lowercase()));
        }
        if let Some(q) = image.pdq_quality {
            if q > 100 {
                return Err(invalid(at("pdq_quality"), "0 to 100"));
            }
        }
        if let Some(h) = &image.pdq {
            let hash =
                PdqHash::from_hex(h).map_err(|_| invalid(at("pdq"), "64 hexadecimal digits"))?;
            pdq.push((hash, image.pdq_quality));
        }
    }
    if let Some(e) = &r.evidence {
        if !is_hex(&e.manifest_sha256, 64) {
            return Err(invalid("evidence.manifest_sha256", "64 hexadecimal digits"));
        }
        let groups: Vec<&str> = e.key_fingerprint.split(' ').collect();
        if groups.len() != 8 || !groups.iter().all(|g| is_hex(g, 4)) {
            return Err(invalid(
                "evidence.key_fingerprint",
                "eight groups of four hexadecimal digits",
            ));
        }
        if let Some(f) = &e.file_name {
            text("evidence.file_name", f, 255)?;
        }
        if let Some(k) = &e.public_key {
            text("evidence.public_key", k, 64)?;
        }
    }
    if let Some(s) = &r.software {
        text("software.name", &s.name, MAX_ID)?;
        text("software.version", &s.version, MAX_ID)?;
    }
    exact.sort();
    exact.dedup();
    Ok(Keys {
        page_url,
        exact,
        pdq,
    })
}

/// Where a report goes in the queue: lower first. Child abuse first, then a minor (or a
/// picture on an imported hash list), then sextortion (a deadline is usually running), then
/// everything else.
pub fn priority(report: &Report, on_hash_list: bool) -> i64 {
    match report.situation.as_deref() {
        Some("child-abuse") => 0,
        _ if report.minor || on_hash_list => 1,
        Some("sextortion") => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    pub fn sample() -> serde_json::Value {
        serde_json::json!({
            "format": "sentinelle-report-1", "helpline": "fr-3018", "situation": "own-image",
            "minor": false, "country": "FR", "language": "fr",
            "page": {"url": "https://host.example/g/42?utm_source=x", "title": "Gallery"},
            "captured_at": "2026-11-23T14:05:09Z",
            "images": [{"url": "https://cdn.example/a.jpg", "md5": "0123456789abcdef0123456789ABCDEF",
                        "sha256": "a".repeat(64), "pdq": "f".repeat(64), "pdq_quality": 100}],
            "evidence": {"file_name": "e.zip", "manifest_sha256": "b".repeat(64),
                         "key_fingerprint": "af7d 6cf2 5866 fdf7 6d12 f123 bff2 8369", "public_key": "AAAA"},
            "software": {"name": "Sentinelle extension", "version": "0.1.0"}
        })
    }

    #[test]
    fn a_report_as_the_extension_sends_it_is_taken() {
        let (_, keys) = parse(sample().to_string().as_bytes()).unwrap();
        assert_eq!(keys.page_url, "https://host.example/g/42");
        assert!(keys
            .exact
            .contains(&("md5", "0123456789abcdef0123456789abcdef".into())));
        assert_eq!(keys.pdq.len(), 1);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("format", serde_json::json!("other")),
            ("helpline", serde_json::json!("<script>")),
            ("situation", serde_json::json!("anything")),
            ("country", serde_json::json!("fr")),
            (
                "page",
                serde_json::json!({"url": "javascript:alert(1)", "title": null}),
            ),
            ("captured_at", serde_json::json!("yesterday")),
            ("images", serde_json::json!([{"pdq": "xyz"}])),
            ("images", serde_json::json!([{"md5": "12"}])),
            (
                "evidence",
                serde_json::json!({"manifest_sha256": "1", "key_fingerprint": "x"}),
            ),
        ];
        for (field, value) in cases {
            let mut r = sample();
            r[field] = value.clone();
            let err = parse(r.to_string().as_bytes()).unwrap_err();
            assert!(err.field.starts_with(field), "{field} {value}: {err}");
        }
        let mut r = sample();
        r["extra"] = serde_json::json!(1);
        assert_eq!(parse(r.to_string().as_bytes()).unwrap_err().field, "body");
        let mut r = sample();
        r["images"] = serde_json::json!(vec![serde_json::json!({}); MAX_IMAGES + 1]);
        assert_eq!(parse(r.to_string().as_bytes()).unwrap_err().field, "images");
        assert!(parse(b"not json").is_err());
        assert!(parse(b"[]").is_err());
    }

    #[test]
    fn an_inline_image_is_taken_without_an_address_key() {
        let mut r = sample();
        r["images"][0]["url"] =
            serde_json::json!(format!("data:image/png;base64,{}", "A".repeat(20_000)));
        let (_, keys) = parse(r.to_string().as_bytes()).unwrap();
        assert_eq!(
            keys.exact.iter().filter(|(k, _)| *k == "url").count(),
            1,
            "the page only"
        );
    }

    #[test]
    fn markup_is_kept_as_data() {
        let mut r = sample();
        r["page"]["title"] = serde_json::json!("<img src=x onerror=alert(1)>");
        let (report, _) = parse(r.to_string().as_bytes()).unwrap();
        assert_eq!(
            report.page.title.as_deref(),
            Some("<img src=x onerror=alert(1)>")
        );
    }

    #[test]
    fn child_abuse_and_minors_come_first() {
        let (mut r, _) = parse(sample().to_string().as_bytes()).unwrap();
        assert_eq!(priority(&r, false), 3);
        assert_eq!(priority(&r, true), 1);
        r.minor = true;
        assert_eq!(priority(&r, false), 1);
        r.situation = Some("child-abuse".into());
        assert_eq!(priority(&r, false), 0);
        r.minor = false;
        r.situation = Some("sextortion".into());
        assert_eq!(priority(&r, false), 2);
    }
}
