//! `manifest.json`: what an evidence bundle holds, when and where it was captured, and the
//! SHA-256 of every file in it. The manifest is what the device key signs.

use serde::{Deserialize, Serialize};

use super::signing::PublicKeyInfo;

/// The `format` value of every manifest.
pub const FORMAT: &str = "sentinelle-evidence";
/// The manifest layout version this core writes and reads.
pub const VERSION: u32 = 1;
/// Name of the manifest inside the zip.
pub const MANIFEST_PATH: &str = "manifest.json";
/// Name of the signature inside the zip.
pub const SIGNATURE_PATH: &str = "signature.json";

/// What the signature proves and does not, written into every manifest and shown by every
/// verifier (the WACZ signing spec makes the same admission).
pub const STATEMENT: &str = "The signature shows that these files have not changed since they \
were captured, on the device that holds this key, at the time stated. It does not prove who \
published the content or that a server sent it: a person with the device could have made the \
files. Judge it with the other facts of the case.";

/// The manifest. Field order is the order written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for now.
    pub version: u32,
    /// What made the bundle.
    pub software: Software,
    /// When the page was captured, UTC (`2026-11-23T14:05:09Z`).
    pub captured_at: String,
    /// The page reported.
    pub page: Page,
    /// What happened, in the words of the report flow (`own-image`, `sextortion`,
    /// `child-abuse`, `deepfake-other`, `harassment`), if the person said.
    pub situation: Option<String>,
    /// Images identified by their hashes (no copy of the image is implied).
    pub images: Vec<ImageRecord>,
    /// Every other file in the zip besides the manifest and the signature.
    pub artefacts: Vec<Artefact>,
    /// The key that signs this manifest.
    pub key: PublicKeyInfo,
    /// [`STATEMENT`].
    pub statement: String,
}

/// The software that made a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// `Sentinelle extension` or `Sentinelle CLI`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The engine (this crate) version.
    pub engine: String,
}

/// The page a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The address as the browser showed it.
    pub url: String,
    /// The page's title, if any.
    pub title: Option<String>,
}

/// An image identified by hashes: what StopNCII, Take It Down and the hotlines match by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRecord {
    /// Where the image was (its `src`), if known.
    pub url: Option<String>,
    /// MD5 of the image file, hex.
    pub md5: String,
    /// SHA-256 of the image file, hex.
    pub sha256: String,
    /// PDQ hash, 64 hex digits, when the image could be decoded.
    pub pdq: Option<String>,
    /// PDQ quality 0–100.
    pub pdq_quality: Option<u32>,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artefact {
    /// Path inside the zip (`artefacts/screenshot.png`).
    pub path: String,
    /// What it is: see [`ArtefactKind`].
    pub kind: ArtefactKind,
    /// MIME type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// What an artefact is. Child-abuse reports may only hold [`ArtefactKind::Document`] and
/// [`ArtefactKind::Readme`]: no picture of the page or of an image, and no page archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtefactKind {
    /// A picture of the visible tab.
    Screenshot,
    /// A saved copy of the page (MHTML).
    Archive,
    /// An image file itself.
    Image,
    /// Text the person or the software wrote (summary, notices).
    Document,
    /// The bundle's own explanation, `README.txt`.
    Readme,
}

impl ArtefactKind {
    /// Whether this kind can carry pictures of the content.
    pub fn carries_pictures(self) -> bool {
        matches!(
            self,
            ArtefactKind::Screenshot | ArtefactKind::Archive | ArtefactKind::Image
        )
    }
}

/// The situation in which no picture of the content may be kept or sent.
pub const CHILD_ABUSE: &str = "child-abuse";
/// The situations a manifest may name.
pub const SITUATIONS: [&str; 5] = [
    "own-image",
    "sextortion",
    CHILD_ABUSE,
    "deepfake-other",
    "harassment",
];

/// `signature.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFile {
    /// Always `"Ed25519"`.
    pub algorithm: String,
    /// The signing key, base64 (the same as the manifest's).
    pub public_key: String,
    /// The 64-byte signature, base64.
    pub signature: String,
    /// The file signed: always `manifest.json`, signed byte for byte as stored.
    pub signed_file: String,
}
