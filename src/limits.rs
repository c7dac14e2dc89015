//! Limits for untrusted input.
//!
//! Photos come from anywhere, so every loop and every allocation the parsers make is bounded by
//! one of these numbers or by the input's own length, never by a value read from a header.

use serde::Serialize;

/// Caps applied while reading a file. Exceeding one gives [`crate::ErrorCode::TooLarge`]
/// (except `max_findings`, which only shortens the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 256 MiB: far above any camera photo, small
    /// enough that a copy of it fits in a browser tab's memory.
    pub max_input_bytes: usize,
    /// Most marker segments walked in one file. Default 4096: real photos have a few dozen;
    /// thousands of tiny segments only serve to make us work.
    pub max_segments: usize,
    /// Most PNG or WebP chunks walked in one file. Default 4096: real PNGs have a few dozen (a
    /// large image may split its pixel data into a few hundred IDAT chunks); an animated WebP
    /// has one chunk per frame.
    pub max_chunks: usize,
    /// Largest EXIF (TIFF) payload parsed. Default 1 MiB. A JPEG APP1 segment holds at most
    /// 64 KiB, so this only matters for containers that allow bigger blocks.
    pub max_exif_bytes: usize,
    /// Most findings reported; further ones are dropped. Default 1000.
    pub max_findings: usize,
    /// Most bytes one compressed PNG text chunk (zTXt, iTXt) is inflated to; the rest is not
    /// read. Default 1 MiB. The whole file's inflated text is capped at 8 times this, so a
    /// "zip bomb" costs bounded memory and time.
    pub max_text_bytes: usize,
    /// Widest and tallest image decoded (for hashing), in pixels. Default 16384: above any
    /// camera (a 200-megapixel phone photo is 16320 wide), and checked from the header, before
    /// any pixel memory is allocated.
    pub max_image_side: u32,
    /// Most memory the image decoder may use, decoded pixels included. Default 512 MiB (a
    /// 170-megapixel RGB image). Hashing then needs 4 more bytes per pixel for its own buffer.
    pub max_decode_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 * 1024 * 1024,
            max_segments: 4096,
            max_chunks: 4096,
            max_exif_bytes: 1024 * 1024,
            max_findings: 1000,
            max_text_bytes: 1024 * 1024,
            max_image_side: 16384,
            max_decode_bytes: 512 * 1024 * 1024,
        }
    }
}
