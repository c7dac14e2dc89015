//! Lossless JPEG cleaning: copy the pieces needed to decode the image, byte for byte, and
//! nothing else.
//!
//! The compressed image data is never decoded or re-encoded, so the pixels cannot change. What
//! is kept: the start/end markers, coding segments (tables, frame and scan headers, restart
//! intervals), scan data, JFIF density (its thumbnail removed), the ICC colour profile and
//! the Adobe colour-transform flag. Everything else goes, including any bytes after the
//! primary image's end-of-image marker. An Orientation-only EXIF is written back when the
//! photo needs rotating to be shown upright.

use super::jpeg::{walk, JpegLayout, PieceKind, APP0};
use super::jpeg_segment::{classify, SegmentKind, JFIF_FIXED_LEN};
use super::orientation_exif::{orientation_app1, ORIENTATION_APP1_LEN};
use crate::error::Error;
use crate::limits::Limits;

/// Builds the clean copy of a walked JPEG.
///
/// `orientation` is the original EXIF Orientation; values 2..=8 are written back, 1 (upright)
/// and anything unknown are not, since a missing tag already means upright.
pub fn strip_jpeg(
    bytes: &[u8],
    layout: &JpegLayout,
    orientation: Option<u16>,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let restore = orientation.filter(|o| (2..=8).contains(o));
    // Capacity from the input's own length (already under the input limit), not from a header.
    let mut out = Vec::with_capacity(layout.end_of_image.saturating_add(ORIENTATION_APP1_LEN));

    let mut orientation_written = restore.is_none();
    for (index, piece) in layout.pieces.iter().enumerate() {
        let piece_bytes = bytes
            .get(piece.range.clone())
            .ok_or_else(|| Error::malformed("the file's structure points outside the file"))?;
        match &piece.kind {
            PieceKind::StartOfImage => out.extend_from_slice(piece_bytes),
            PieceKind::Junk => {}
            PieceKind::Segment { marker, payload } => {
                let payload_bytes = bytes.get(payload.clone()).unwrap_or_default();
                match classify(*marker, payload_bytes) {
                    SegmentKind::Jfif {
                        thumbnail_width,
                        thumbnail_height,
                    } if thumbnail_width > 0 && thumbnail_height > 0 => {
                        write_jfif_without_thumbnail(&mut out, payload_bytes)?;
                    }
                    kind if kind.kept_on_strip() => out.extend_from_slice(piece_bytes),
                    _ => {}
                }
            }
            PieceKind::Standalone { .. } | PieceKind::EntropyCoded | PieceKind::EndOfImage => {
                out.extend_from_slice(piece_bytes)
            }
        }
        // EXIF belongs right after SOI, or after a JFIF APP0 that directly follows SOI (the
        // order both JFIF and EXIF readers accept).
        if !orientation_written && (index > 0 || !next_is_jfif(bytes, layout)) {
            if let Some(o) = restore {
                out.extend_from_slice(&orientation_app1(o));
            }
            orientation_written = true;
        }
    }

    verify(&out, bytes, layout, limits)?;
    Ok(out)
}

/// True when the piece after SOI is a JFIF APP0 segment.
fn next_is_jfif(bytes: &[u8], layout: &JpegLayout) -> bool {
    match layout.pieces.get(1).map(|p| &p.kind) {
        Some(PieceKind::Segment { marker, payload }) if *marker == APP0 => matches!(
            classify(*marker, bytes.get(payload.clone()).unwrap_or_default()),
            SegmentKind::Jfif { .. }
        ),
        _ => false,
    }
}

/// JFIF may embed an uncompressed RGB thumbnail of the whole photo; keep the density fields
/// and declare a 0x0 thumbnail.
fn write_jfif_without_thumbnail(out: &mut Vec<u8>, payload: &[u8]) -> Result<(), Error> {
    let fixed = payload
        .get(..JFIF_FIXED_LEN)
        .ok_or_else(|| Error::malformed("the JFIF segment is too short"))?;
    // Length field counts itself (2) plus the payload: fixed part and two zero sizes.
    let length = JFIF_FIXED_LEN.saturating_add(2 + 2);
    out.extend_from_slice(&[0xFF, APP0]);
    out.extend_from_slice(&u16::try_from(length).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(fixed);
    out.extend_from_slice(&[0, 0]);
    Ok(())
}

/// Refuses to hand back a file we would not accept ourselves: the copy must walk cleanly, end
/// at its end-of-image marker and carry exactly the same compressed data.
fn verify(out: &[u8], original: &[u8], layout: &JpegLayout, limits: &Limits) -> Result<(), Error> {
    let refuse = || Error::malformed("this JPEG's structure is too unusual to clean safely");
    let check = walk(out, limits).map_err(|_| refuse())?;
    if !check.trailing.is_empty() {
        return Err(refuse());
    }
    match (scan_data(&check, out), scan_data(layout, original)) {
        (Some(copied), Some(source)) if crate::bytes::same_pieces(&copied, &source) => Ok(()),
        _ => Err(refuse()),
    }
}

/// The entropy-coded data of every scan, as slices into `bytes`; `None` if a walked range lay
/// outside the file (it cannot; were it to, the copy is refused).
fn scan_data<'a>(layout: &JpegLayout, bytes: &'a [u8]) -> Option<Vec<&'a [u8]>> {
    layout
        .pieces
        .iter()
        .filter(|p| p.kind == PieceKind::EntropyCoded)
        .map(|p| bytes.get(p.range.clone()))
        .collect()
}
