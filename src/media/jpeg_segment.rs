//! What a JPEG marker segment holds, and whether a clean copy keeps it.
//!
//! Analysis and stripping both classify segments here, so what the person is warned about and
//! what the cleaner removes cannot drift apart.

use super::jpeg::{APP0, COM};

/// Identifier strings at the start of APPn payloads.
const JFIF: &[u8] = b"JFIF\0";
const JFXX: &[u8] = b"JFXX\0";
const EXIF: &[u8] = b"Exif\0";
const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXTENDED_XMP: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
const ICC: &[u8] = b"ICC_PROFILE\0";
const MPF: &[u8] = b"MPF\0";
const FLASHPIX: &[u8] = b"FPXR\0";
const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";
const ADOBE: &[u8] = b"Adobe";

/// Bytes before a JFIF thumbnail: identifier, version (2), units (1), densities (2 + 2).
pub const JFIF_FIXED_LEN: usize = 12;

/// Extended XMP chunk header after the identifier: GUID (32), full length (4), offset (4).
const EXTENDED_XMP_HEADER: usize = 40;

/// The kinds of segment this crate tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind<'a> {
    /// APP0 JFIF: density information decoders use. May carry a small RGB thumbnail.
    Jfif {
        thumbnail_width: u8,
        thumbnail_height: u8,
    },
    /// APP0 JFXX: a JFIF extension whose only purpose is a thumbnail.
    Jfxx,
    /// APP1 Exif; the slice is the TIFF structure after the 6-byte "Exif\0\0" header.
    Exif(&'a [u8]),
    /// APP1 XMP packet (the XML text).
    Xmp(&'a [u8]),
    /// One chunk of APP1 Extended XMP (XML continuation, often depth maps or a second photo).
    ExtendedXmp(&'a [u8]),
    /// APP2 ICC colour profile chunk: needed to show colours right.
    IccProfile,
    /// APP2 Multi-Picture Format index: more images stored after the main one.
    MultiPicture,
    /// APP2 FlashPix extension data (often an audio note or a preview).
    FlashPix,
    /// APP11: JUMBF boxes (C2PA content credentials, JPEG XT).
    Jumbf,
    /// APP13 Photoshop image resources (IPTC, thumbnails); slice after the identifier.
    Photoshop(&'a [u8]),
    /// APP14 Adobe: tells decoders how colours were transformed, needed for CMYK/RGB.
    Adobe,
    /// A comment; the slice is its text.
    Comment(&'a [u8]),
    /// Any other application segment; the number is n in APPn.
    OtherApp(u8),
    /// Tables, frame and scan headers, restart interval and other coding segments.
    Coding,
}

impl SegmentKind<'_> {
    /// True when a clean copy keeps the segment. Everything kept is needed to decode the image
    /// or to show its colours; all else is metadata.
    pub fn kept_on_strip(&self) -> bool {
        matches!(
            self,
            SegmentKind::Jfif { .. }
                | SegmentKind::IccProfile
                | SegmentKind::Adobe
                | SegmentKind::Coding
        )
    }
}

/// Classifies a segment from its marker and payload.
pub fn classify(marker: u8, payload: &[u8]) -> SegmentKind<'_> {
    let after = |prefix: &[u8]| payload.get(prefix.len()..).unwrap_or_default();
    match marker {
        COM => SegmentKind::Comment(payload),
        m if m == APP0 && payload.starts_with(JFIF) => SegmentKind::Jfif {
            thumbnail_width: payload.get(JFIF_FIXED_LEN).copied().unwrap_or(0),
            thumbnail_height: payload
                .get(JFIF_FIXED_LEN.saturating_add(1))
                .copied()
                .unwrap_or(0),
        },
        m if m == APP0 && payload.starts_with(JFXX) => SegmentKind::Jfxx,
        // "Exif\0" then a pad byte that should be 0 but is not always.
        0xE1 if payload.starts_with(EXIF) => SegmentKind::Exif(
            payload
                .get(EXIF.len().saturating_add(1)..)
                .unwrap_or_default(),
        ),
        0xE1 if payload.starts_with(XMP) => SegmentKind::Xmp(after(XMP)),
        0xE1 if payload.starts_with(EXTENDED_XMP) => SegmentKind::ExtendedXmp(
            payload
                .get(EXTENDED_XMP.len().saturating_add(EXTENDED_XMP_HEADER)..)
                .unwrap_or_default(),
        ),
        0xE2 if payload.starts_with(ICC) => SegmentKind::IccProfile,
        0xE2 if payload.starts_with(MPF) => SegmentKind::MultiPicture,
        0xE2 if payload.starts_with(FLASHPIX) => SegmentKind::FlashPix,
        0xEB => SegmentKind::Jumbf,
        0xED if payload.starts_with(PHOTOSHOP) => SegmentKind::Photoshop(after(PHOTOSHOP)),
        0xEE if payload.starts_with(ADOBE) => SegmentKind::Adobe,
        m @ 0xE0..=0xEF => SegmentKind::OtherApp(m.wrapping_sub(APP0)),
        _ => SegmentKind::Coding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_and_decides() {
        let exif = classify(0xE1, b"Exif\0\0MM\0*");
        assert_eq!(exif, SegmentKind::Exif(b"MM\0*"));
        assert!(!exif.kept_on_strip());
        assert!(classify(0xE2, b"ICC_PROFILE\0\x01\x01").kept_on_strip());
        assert!(!classify(0xE2, b"MPF\0II*\0").kept_on_strip());
        assert!(classify(0xEE, b"Adobe\0d").kept_on_strip());
        assert!(classify(0xDB, b"").kept_on_strip());
        assert!(!classify(0xFE, b"hello").kept_on_strip());
        assert!(!classify(0xEB, b"JP").kept_on_strip());
        assert_eq!(classify(0xEC, b"Ducky"), SegmentKind::OtherApp(12));
        assert_eq!(
            classify(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\x02\x03"),
            SegmentKind::Jfif {
                thumbnail_width: 2,
                thumbnail_height: 3
            }
        );
        assert!(!classify(0xE0, b"JFXX\0\x10").kept_on_strip());
        // An ICC identifier in the wrong APP number is not a colour profile.
        assert!(!classify(0xE3, b"ICC_PROFILE\0").kept_on_strip());
    }
}
