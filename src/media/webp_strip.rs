//! Lossless WebP cleaning: copy the chunks needed to show the image, byte for byte, and
//! nothing else.
//!
//! The compressed image data (VP8, VP8L, ALPH, ANMF) is never decoded or re-encoded, so the
//! pixels cannot change. What is kept: VP8X (with its EXIF and XMP flags cleared), ICCP, ANIM
//! and the image chunks (see [`kept_on_strip`]). Everything else goes: EXIF, "XMP ", unknown
//! chunks and any bytes after the RIFF data. An Orientation-only EXIF chunk is written back
//! when the image needs rotating; a simple-format file (no VP8X) then gets a VP8X, because
//! only the extended format may carry EXIF.

use super::orientation_exif::{orientation_tiff, ORIENTATION_TIFF_LEN};
use super::webp::{
    bitstream_canvas, kept_on_strip, walk, write_chunk, WebpLayout, CHUNK_HEADER_LEN, FLAG_ALPHA,
    FLAG_EXIF, FLAG_XMP, IMAGE_CHUNKS, VP8X_LEN,
};
use crate::error::Error;
use crate::limits::Limits;
use crate::metadata::webp_findings::{analyze_webp, webp_orientation};

/// Builds the clean copy of a walked WebP.
///
/// `orientation` is the original EXIF Orientation; values 2..=8 are written back (in a new
/// EXIF chunk after the image data, where the container specification puts it), 1 and
/// anything unknown are not.
pub fn strip_webp(
    bytes: &[u8],
    layout: &WebpLayout,
    orientation: Option<u16>,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let restore = orientation.filter(|o| (2..=8).contains(o));
    let broken = || Error::malformed("the file's structure points outside the file");
    // Capacity from the input's own length (already under the input limit), not from a header.
    let mut out = Vec::with_capacity(
        layout
            .end_of_image
            .saturating_add(2 * CHUNK_HEADER_LEN + VP8X_LEN + ORIENTATION_TIFF_LEN),
    );
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let has_vp8x = layout.chunks.iter().any(|c| &c.kind == b"VP8X");
    if restore.is_some() && !has_vp8x {
        write_chunk(&mut out, b"VP8X", &new_vp8x(bytes, layout)?)?;
    }
    for chunk in &layout.chunks {
        if !kept_on_strip(&chunk.kind) {
            continue;
        }
        let chunk_bytes = bytes.get(chunk.range.clone()).ok_or_else(broken)?;
        let flags_at = out.len().saturating_add(CHUNK_HEADER_LEN);
        out.extend_from_slice(chunk_bytes);
        if &chunk.kind == b"VP8X" {
            // Only the metadata flags change: ICC, alpha and animation describe kept chunks.
            let flags = out.get_mut(flags_at).ok_or_else(broken)?;
            *flags &= !(FLAG_EXIF | FLAG_XMP);
            if restore.is_some() {
                *flags |= FLAG_EXIF;
            }
        }
    }
    if let Some(o) = restore {
        write_chunk(&mut out, b"EXIF", &orientation_tiff(o))?;
    }
    let riff_size = out
        .len()
        .checked_sub(8)
        .and_then(|s| u32::try_from(s).ok())
        .ok_or_else(|| Error::too_large("the clean copy would be too large for a WebP file"))?;
    if let Some(size) = out.get_mut(4..8) {
        size.copy_from_slice(&riff_size.to_le_bytes());
    }
    verify(&out, bytes, layout, restore, limits)?;
    Ok(out)
}

/// The VP8X data for a simple-format file that needs an EXIF chunk: the EXIF flag (and the
/// alpha flag when the lossless bitstream says it uses alpha), and the canvas size from the
/// bitstream header, stored minus one in 24 bits each.
fn new_vp8x(bytes: &[u8], layout: &WebpLayout) -> Result<[u8; VP8X_LEN], Error> {
    let unreadable = || Error::malformed("the WebP image data has an unreadable header");
    let image = layout
        .chunks
        .iter()
        .find(|c| &c.kind == b"VP8 " || &c.kind == b"VP8L")
        .ok_or_else(unreadable)?;
    let data = bytes.get(image.data.clone()).ok_or_else(unreadable)?;
    let (width, height, alpha) = bitstream_canvas(&image.kind, data).ok_or_else(unreadable)?;
    let mut vp8x = [0u8; VP8X_LEN];
    let flags = if alpha {
        FLAG_EXIF | FLAG_ALPHA
    } else {
        FLAG_EXIF
    };
    let [w0, w1, w2, _] = width.saturating_sub(1).to_le_bytes();
    let [h0, h1, h2, _] = height.saturating_sub(1).to_le_bytes();
    for (slot, b) in vp8x
        .iter_mut()
        .zip([flags, 0, 0, 0, w0, w1, w2, h0, h1, h2])
    {
        *slot = b;
    }
    Ok(vp8x)
}

/// Refuses to hand back a file we would not accept ourselves: the copy must walk cleanly, end
/// at the RIFF size, carry exactly the same image chunks, flags and orientation, and analyse
/// clean.
fn verify(
    out: &[u8],
    original: &[u8],
    layout: &WebpLayout,
    orientation: Option<u16>,
    limits: &Limits,
) -> Result<(), Error> {
    let refuse = || Error::malformed("this WebP's structure is too unusual to clean safely");
    let check = walk(out, limits).map_err(|_| refuse())?;
    if !check.trailing.is_empty() || check.end_of_image != out.len() {
        return Err(refuse());
    }
    if !check
        .data_of(out, IMAGE_CHUNKS)
        .eq(layout.data_of(original, IMAGE_CHUNKS))
    {
        return Err(refuse());
    }
    if let Some(flags) = check.vp8x_flags(out) {
        let exif_flag = flags & FLAG_EXIF != 0;
        if flags & FLAG_XMP != 0 || exif_flag != orientation.is_some() {
            return Err(refuse());
        }
    }
    let kept = webp_orientation(out, &check, limits).map_err(|_| refuse())?;
    if kept != orientation {
        return Err(refuse());
    }
    let analysis = analyze_webp(out, &check, limits).map_err(|_| refuse())?;
    if !analysis.findings.is_empty() {
        return Err(refuse());
    }
    Ok(())
}
