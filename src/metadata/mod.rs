//! What a photo gives away: findings read from EXIF, XMP, IPTC, comments and hidden images.
//!
//! The types here cross the wasm boundary as JSON-like objects (camelCase fields, kebab-case
//! enum values), so renaming anything is a breaking change for the extension.

use serde::Serialize;

pub(crate) mod exif_findings;
pub(crate) mod findings;
pub(crate) mod gif_findings;
pub(crate) mod gps;
pub(crate) mod heif_findings;
pub(crate) mod jpeg_findings;
pub(crate) mod makernotes;
pub(crate) mod photoshop;
pub(crate) mod png_findings;
pub(crate) mod text;
pub mod thumbnail;
pub(crate) mod webp_findings;
pub(crate) mod xmp;

/// The container format of an analysed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    /// HEIC/HEIF (HEVC-coded stills, Apple's and Samsung's default).
    Heif,
    Avif,
}

/// What kind of thing a finding gives away. Declaration order is the order findings are listed
/// in (most sensitive first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Category {
    /// Where the photo was taken (GPS, place names).
    Location,
    /// Which camera or phone took it (make, model, serial numbers, maker notes).
    Device,
    /// Who took it or owns it (artist, owner name, copyright, free-text descriptions).
    Person,
    /// When it was taken or edited.
    Time,
    /// Which software or computer handled it.
    Software,
    /// A second image inside the file (thumbnail, preview, appended image) that may show
    /// what was cropped or edited out of the main one.
    HiddenImage,
    /// Free text someone wrote or a program stored: comments, descriptions, captions, titles,
    /// keywords, the prompt an AI image generator was given.
    Text,
    /// Metadata that is present but not classified (XMP packets, IPTC blocks, unknown chunks,
    /// trailers), reported by size.
    Other,
}

/// How much a finding can hurt the person if a stranger reads it. The warning leads with the
/// high ones; the cleaner removes all of them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Leads someone to the person or links their photos: a position, a serial number, a
    /// name, a hidden image that differs from the photo shown.
    High,
    /// Tells about their life: when, free text, a preview, camera-maker data.
    Medium,
    /// Common to millions of photos: the camera model, the software, data of unknown meaning.
    Low,
}

impl Format {
    /// The name JavaScript and JSON see.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Heif => "heif",
            Self::Avif => "avif",
        }
    }
}

impl Category {
    /// The name JavaScript and JSON see.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Location => "location",
            Self::Device => "device",
            Self::Person => "person",
            Self::Time => "time",
            Self::Software => "software",
            Self::HiddenImage => "hidden-image",
            Self::Text => "text",
            Self::Other => "other",
        }
    }
}

impl Severity {
    /// The name JavaScript and JSON see.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// The three enums serialise as their `as_str` names, so serde output (JSON, the CLI) and the
/// wasm facade's own conversion (which passes the names as text) cannot disagree.
macro_rules! serialize_as_str {
    ($($name:ty),*) => {$(
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(Format, Category, Severity);

/// One thing the photo gives away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub category: Category,
    pub severity: Severity,
    /// exiftool-style tag name, e.g. "GPSLatitude", "BodySerialNumber", "ThumbnailImage".
    pub field: String,
    /// Short human-readable value (at most ~200 characters; sizes for binary data).
    pub value: String,
}

/// A position in signed decimal degrees (south and west negative), WGS-84 as cameras record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GpsPosition {
    pub latitude: f64,
    pub longitude: f64,
    /// Metres above sea level (negative below), when recorded.
    pub altitude_m: Option<f64>,
}

/// The result of analysing one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub format: Format,
    /// Most sensitive category first. Empty means nothing identifying was found.
    pub findings: Vec<Finding>,
    /// Where the photo was taken, when the file says so with a valid latitude and longitude.
    pub location: Option<GpsPosition>,
}

/// The findings of one EXIF (TIFF) block on its own, maker notes included (for the fuzz target
/// and for callers that extracted a block themselves). An unreadable block gives one "Exif"
/// finding; errors only when the block breaks a limit.
pub fn exif_block_findings_of(
    tiff: &[u8],
    limits: &crate::Limits,
) -> Result<Vec<Finding>, crate::Error> {
    let mut out = findings::FindingList::new(limits.max_findings);
    exif_findings::exif_block_findings(tiff, limits, &mut out)?;
    Ok(out.into_sorted())
}
