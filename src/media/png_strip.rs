//! Lossless PNG cleaning: copy the chunks needed to show the image, byte for byte, and nothing
//! else.
//!
//! The compressed pixel data (IDAT) is never decoded or re-encoded, so the pixels cannot
//! change. What is kept: IHDR, PLTE, every IDAT, IEND, any unknown critical chunk, colour and
//! transparency chunks, pHYs and APNG animation chunks (see [`kept_on_strip`]). Everything else
//! goes: eXIf, text chunks, tIME, C2PA, signatures, unknown ancillary chunks and any bytes
//! after IEND. An Orientation-only eXIf is written back when the image needs rotating.

use super::orientation_exif::{orientation_tiff, ORIENTATION_TIFF_LEN};
use super::png::{kept_on_strip, walk, write_chunk, PngLayout, SIGNATURE};
use crate::error::Error;
use crate::limits::Limits;
use crate::metadata::png_findings::{analyze_png, png_orientation};

/// Chunk overhead: length, type and CRC.
const CHUNK_OVERHEAD: usize = 12;

/// Builds the clean copy of a walked PNG.
///
/// `orientation` is the original EXIF Orientation; values 2..=8 are written back (in a new
/// eXIf right after IHDR), 1 and anything unknown are not.
pub fn strip_png(
    bytes: &[u8],
    layout: &PngLayout,
    orientation: Option<u16>,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let restore = orientation.filter(|o| (2..=8).contains(o));
    // Capacity from the input's own length (already under the input limit), not from a header.
    let mut out = Vec::with_capacity(
        layout
            .end_of_image
            .saturating_add(ORIENTATION_TIFF_LEN + CHUNK_OVERHEAD),
    );
    out.extend_from_slice(SIGNATURE);
    for (index, chunk) in layout.chunks.iter().enumerate() {
        if kept_on_strip(&chunk.kind) {
            let chunk_bytes = bytes
                .get(chunk.range.clone())
                .ok_or_else(|| Error::malformed("the file's structure points outside the file"))?;
            out.extend_from_slice(chunk_bytes);
        }
        // The walker guarantees IHDR is first; eXIf must come before the image data.
        if index == 0 {
            if let Some(o) = restore {
                write_chunk(&mut out, b"eXIf", &orientation_tiff(o))?;
            }
        }
    }
    verify(&out, bytes, layout, restore, limits)?;
    Ok(out)
}

/// Refuses to hand back a file we would not accept ourselves: the copy must walk cleanly, end
/// at IEND, carry exactly the same image data and orientation, and analyse clean.
fn verify(
    out: &[u8],
    original: &[u8],
    layout: &PngLayout,
    orientation: Option<u16>,
    limits: &Limits,
) -> Result<(), Error> {
    let refuse = || Error::malformed("this PNG's structure is too unusual to clean safely");
    let check = walk(out, limits).map_err(|_| refuse())?;
    if !check.trailing.is_empty() {
        return Err(refuse());
    }
    if !check
        .data_of(out, b"IDAT")
        .eq(layout.data_of(original, b"IDAT"))
    {
        return Err(refuse());
    }
    let kept = png_orientation(out, &check, limits).map_err(|_| refuse())?;
    if kept != orientation {
        return Err(refuse());
    }
    let analysis = analyze_png(out, &check, limits).map_err(|_| refuse())?;
    if !analysis.findings.is_empty() {
        return Err(refuse());
    }
    Ok(())
}
