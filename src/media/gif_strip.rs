//! Lossless GIF cleaning: copy the blocks needed to show the image, byte for byte, and nothing
//! else.
//!
//! Images (descriptor, colour table, LZW data), graphic control and plain-text extensions, and
//! the looping and ICC application extensions are kept (see [`kept_on_strip`]). Comments, XMP,
//! every other application extension and any bytes after the trailer go. GIF has no
//! orientation, so there is nothing to write back.

use super::gif::{kept_on_strip, walk, BlockKind, GifLayout};
use crate::error::Error;
use crate::limits::Limits;
use crate::metadata::gif_findings::analyze_gif;

/// Builds the clean copy of a walked GIF, always ended by a trailer byte.
pub fn strip_gif(bytes: &[u8], layout: &GifLayout, limits: &Limits) -> Result<Vec<u8>, Error> {
    let broken = || Error::malformed("the file's structure points outside the file");
    // Capacity from the input's own length (already under the input limit), not from a header.
    let mut out = Vec::with_capacity(layout.end_of_blocks.saturating_add(1));
    out.extend_from_slice(bytes.get(layout.header.clone()).ok_or_else(broken)?);
    for block in &layout.blocks {
        if kept_on_strip(&block.kind) {
            out.extend_from_slice(bytes.get(block.range.clone()).ok_or_else(broken)?);
        }
    }
    out.push(0x3B);
    verify(&out, bytes, layout, limits)?;
    Ok(out)
}

/// Refuses to hand back a file we would not accept ourselves: the copy must walk cleanly, end
/// at its trailer, carry exactly the same images, and analyse clean.
fn verify(out: &[u8], original: &[u8], layout: &GifLayout, limits: &Limits) -> Result<(), Error> {
    let refuse = || Error::malformed("this GIF's structure is too unusual to clean safely");
    let check = walk(out, limits).map_err(|_| refuse())?;
    if !check.has_trailer || !check.trailing.is_empty() {
        return Err(refuse());
    }
    fn images<'a>(l: &GifLayout, b: &'a [u8]) -> Vec<&'a [u8]> {
        l.blocks
            .iter()
            .filter(|block| block.kind == BlockKind::Image)
            .map(|block| b.get(block.range.clone()).unwrap_or_default())
            .collect()
    }
    if !crate::bytes::same_pieces(&images(&check, out), &images(layout, original)) {
        return Err(refuse());
    }
    let analysis = analyze_gif(out, &check, limits).map_err(|_| refuse())?;
    if !analysis.findings.is_empty() {
        return Err(refuse());
    }
    Ok(())
}
