//! A JPEG container walker (ITU-T T.81 Annex B syntax, plus the tolerances real files need).
//!
//! It splits a file into [`Piece`]s that cover the bytes from the start-of-image marker to the
//! primary image's end-of-image marker *contiguously and without gaps*, so a cleaner can copy
//! the pieces it keeps byte for byte and know that nothing else was touched. Nothing is copied:
//! pieces are byte ranges into the input.
//!
//! The walker never allocates from a header value; the only growing allocation is the piece
//! list, bounded by [`Limits::max_segments`].

use crate::bytes::be_u16 as read_u16;
use std::ops::Range;

use crate::error::Error;
use crate::limits::Limits;

/// Start of image.
pub const SOI: u8 = 0xD8;
/// End of image.
pub const EOI: u8 = 0xD9;
/// Start of scan: a header segment followed by entropy-coded data.
pub const SOS: u8 = 0xDA;
/// First application segment (JFIF); APPn is `APP0 + n`.
pub const APP0: u8 = 0xE0;
/// Last application segment.
pub const APP15: u8 = 0xEF;
/// Comment.
pub const COM: u8 = 0xFE;
/// Temporary marker for arithmetic coding; stands alone like RSTn.
pub const TEM: u8 = 0x01;
/// Define hierarchical progression: the only case where a file has several frame headers.
pub const DHP: u8 = 0xDE;

/// Restart markers RST0..RST7 carry no length and may appear inside entropy-coded data.
pub fn is_restart(marker: u8) -> bool {
    (0xD0..=0xD7).contains(&marker)
}

/// Start-of-frame markers (SOF0..SOF15 minus DHT, JPG and DAC, which share the range).
pub fn is_start_of_frame(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// What one piece of the file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceKind {
    /// The start-of-image marker.
    StartOfImage,
    /// A marker segment with a length field: APPn, COM, DQT, DHT, SOFn, SOS header, DRI...
    /// `payload` is the bytes after the two length bytes.
    Segment { marker: u8, payload: Range<usize> },
    /// A marker without a length (RSTn or TEM) found between segments.
    Standalone { marker: u8 },
    /// Entropy-coded scan data after an SOS header, restart markers and stuffed bytes included.
    EntropyCoded,
    /// Bytes between segments that are not a marker. Decoders skip them; so does the cleaner.
    Junk,
    /// The end-of-image marker of the primary image.
    EndOfImage,
}

/// A contiguous byte range of the file and what it holds. A marker piece's range starts at
/// any 0xFF fill bytes before the marker, so fill bytes go wherever their marker goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub range: Range<usize>,
}

/// The structure of one JPEG file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegLayout {
    /// Pieces in file order; their ranges tile `0..end_of_image` exactly.
    pub pieces: Vec<Piece>,
    /// Offset just past the primary image's end-of-image marker.
    pub end_of_image: usize,
    /// Bytes after the end-of-image marker (appended images, vendor trailers, padding).
    pub trailing: Range<usize>,
}

impl JpegLayout {
    /// Marker segments with their payloads, in file order.
    pub fn segments(&self) -> impl Iterator<Item = (u8, Range<usize>)> + '_ {
        self.pieces.iter().filter_map(|piece| match &piece.kind {
            PieceKind::Segment { marker, payload } => Some((*marker, payload.clone())),
            _ => None,
        })
    }
}

/// Walks a JPEG from its start-of-image marker to the primary image's end-of-image marker.
///
/// Errors: `truncated` when the file ends first, `malformed` for impossible structure (a
/// length below 2, a scan before any frame header, a second start-of-image, no scan at all),
/// `too-large` when there are more pieces than `limits.max_segments`.
pub fn walk(bytes: &[u8], limits: &Limits) -> Result<JpegLayout, Error> {
    if bytes.get(..2) != Some(&[0xFF, SOI]) {
        return Err(Error::malformed(
            "the file does not start with a JPEG start-of-image marker",
        ));
    }
    let mut walker = Walker {
        bytes,
        limits,
        pieces: Vec::new(),
    };
    walker.push(PieceKind::StartOfImage, 0..2)?;

    let mut pos = 2;
    let mut seen_frame = false;
    let mut hierarchical = false;
    let mut seen_scan = false;
    let mut in_scan = false;
    loop {
        if in_scan {
            let end = entropy_coded_end(bytes, pos)?;
            if end > pos {
                walker.push(PieceKind::EntropyCoded, pos..end)?;
            }
            pos = end;
        }
        let found = next_marker(bytes, pos)?;
        if found.fill_start > pos {
            walker.push(PieceKind::Junk, pos..found.fill_start)?;
        }
        let marker = found.marker;
        let after_marker = found
            .code_at
            .checked_add(1)
            .ok_or_else(|| ends_early(found.code_at))?;
        match marker {
            SOI => {
                return Err(Error::malformed(format!(
                    "the file has a second start-of-image marker at byte {}",
                    found.code_at
                )))
            }
            EOI => {
                if !seen_scan {
                    return Err(Error::malformed(
                        "the file has no image data: it ends before any scan",
                    ));
                }
                walker.push(PieceKind::EndOfImage, found.fill_start..after_marker)?;
                return Ok(JpegLayout {
                    pieces: walker.pieces,
                    end_of_image: after_marker,
                    trailing: after_marker..bytes.len(),
                });
            }
            m if is_restart(m) || m == TEM => {
                // Inside a scan a restart marker preceded by fill bytes lands here; the scan
                // goes on after it. Outside a scan it is meaningless but harmless.
                walker.push(
                    PieceKind::Standalone { marker: m },
                    found.fill_start..after_marker,
                )?;
                pos = after_marker;
            }
            // Reserved markers (0x02..=0xBF) never occur in real JPEGs; libjpeg rejects them
            // too. Seeing one almost always means damaged data, so stop here instead of
            // reading garbage as segments.
            0x02..=0xBF => {
                return Err(Error::malformed(format!(
                    "the file has an invalid marker (0x{marker:02X}) at byte {}: it is damaged",
                    found.code_at
                )))
            }
            m if is_start_of_frame(m) && seen_frame && !hierarchical => {
                return Err(Error::malformed(format!(
                    "the file has a second frame header at byte {}: it is damaged",
                    found.code_at
                )))
            }
            m => {
                let length =
                    read_u16(bytes, after_marker).ok_or_else(|| ends_early(found.code_at))?;
                if length < 2 {
                    return Err(Error::malformed(format!(
                        "the segment at byte {} has an impossible length ({length})",
                        found.code_at
                    )));
                }
                let end = after_marker
                    .checked_add(usize::from(length))
                    .filter(|&end| end <= bytes.len())
                    .ok_or_else(|| ends_early(found.code_at))?;
                let payload_start = after_marker.saturating_add(2);
                walker.push(
                    PieceKind::Segment {
                        marker: m,
                        payload: payload_start..end,
                    },
                    found.fill_start..end,
                )?;
                if is_start_of_frame(m) {
                    seen_frame = true;
                }
                hierarchical |= m == DHP;
                in_scan = m == SOS;
                if in_scan {
                    if !seen_frame {
                        return Err(Error::malformed(format!(
                            "the scan at byte {} comes before any frame header",
                            found.code_at
                        )));
                    }
                    seen_scan = true;
                }
                pos = end;
            }
        }
    }
}

struct Walker<'a> {
    bytes: &'a [u8],
    limits: &'a Limits,
    pieces: Vec<Piece>,
}

impl Walker<'_> {
    fn push(&mut self, kind: PieceKind, range: Range<usize>) -> Result<(), Error> {
        if self.pieces.len() >= self.limits.max_segments {
            return Err(Error::too_large(format!(
                "the file has more than {} segments (stopped at byte {} of {})",
                self.limits.max_segments,
                range.start,
                self.bytes.len()
            )));
        }
        self.pieces.push(Piece { kind, range });
        Ok(())
    }
}

struct FoundMarker {
    /// First byte of the 0xFF run before the marker code.
    fill_start: usize,
    /// Offset of the marker code byte (the byte after the last 0xFF).
    code_at: usize,
    marker: u8,
}

/// Finds the next marker at or after `pos`, skipping junk and fill bytes the way libjpeg does:
/// a 0xFF followed by 0x00 is not a marker, so the search goes on past it.
fn next_marker(bytes: &[u8], pos: usize) -> Result<FoundMarker, Error> {
    let mut search = pos;
    loop {
        let fill_start = find_ff(bytes, search).ok_or_else(|| ends_early(pos))?;
        let code_at = bytes
            .get(fill_start..)
            .and_then(|rest| rest.iter().position(|&b| b != 0xFF))
            .and_then(|skip| fill_start.checked_add(skip))
            .ok_or_else(|| ends_early(fill_start))?;
        let marker = *bytes.get(code_at).ok_or_else(|| ends_early(code_at))?;
        if marker != 0x00 {
            return Ok(FoundMarker {
                fill_start,
                code_at,
                marker,
            });
        }
        search = code_at.saturating_add(1);
    }
}

/// Returns the offset where entropy-coded data starting at `pos` ends: the 0xFF of the first
/// marker that is neither a stuffed 0xFF00 nor a restart marker.
///
/// This is where analysing and stripping a photo spend most of their time: every byte of the
/// compressed image is looked at, so that data hidden after the image cannot pass unseen. About
/// one byte in 136 of the corpus' JPEGs is a 0xFF (in scans, stuffed ones), so a search for
/// 0xFF alone stops every hundred bytes or so; instead whole blocks are tested with branch-free
/// code that the compiler turns into SIMD (SSE2 natively, simd128 in wasm).
fn entropy_coded_end(bytes: &[u8], pos: usize) -> Result<usize, Error> {
    let mut at = pos;
    // Each block is read with one byte of look-ahead (the code after a 0xFF at its end).
    while let Some(window) = at
        .checked_add(SCAN_BLOCK + 1)
        .and_then(|end| bytes.get(at..end))
    {
        let (Some(current), Some(next)) = (window.get(..SCAN_BLOCK), window.get(1..)) else {
            break;
        };
        if block_has_unstuffed_ff(current, next) && block_has_marker(current, next) {
            break;
        }
        at = at.saturating_add(SCAN_BLOCK);
    }
    // The block holding the end (or the last few bytes), byte by byte.
    let tail = bytes.get(at..).unwrap_or_default();
    tail.iter()
        .zip(tail.iter().skip(1))
        .position(|(&a, &b)| ends_scan(a, b))
        .and_then(|i| at.checked_add(i))
        .ok_or_else(|| ends_in_scan(bytes.len()))
}

/// Bytes tested at once by [`entropy_coded_end`]: four SIMD registers' worth (32 and 128 were
/// slower natively).
const SCAN_BLOCK: usize = 64;

/// A 0xFF that ends the entropy-coded data: followed by neither 0x00 (stuffing) nor a restart
/// marker 0xD0–0xD7. (0xFF 0xFF is fill before a marker, which ends the data too.)
fn ends_scan(byte: u8, next: u8) -> bool {
    (byte == 0xFF) & (next != 0x00) & (next & 0xF8 != 0xD0)
}

/// Whether any byte of `current` (paired with the byte after it, in `next`) ends the scan.
/// Written without early exit so that it vectorises.
fn block_has_marker(current: &[u8], next: &[u8]) -> bool {
    current
        .iter()
        .zip(next)
        .fold(false, |found, (&a, &b)| found | ends_scan(a, b))
}

/// Whether any 0xFF of `current` is followed by something other than 0x00: a block without
/// one holds no marker (stuffing is all compressed data has), so the full test of
/// [`block_has_marker`] runs only where a restart marker or the end may be. Half the work a
/// byte of the full test: in Chromium, copying the corpus' 66 JPEGs in and walking them went
/// from 0.90 to 0.70 ms (restart markers are rare enough that the second test seldom runs).
fn block_has_unstuffed_ff(current: &[u8], next: &[u8]) -> bool {
    current
        .iter()
        .zip(next)
        .fold(false, |found, (&a, &b)| found | ((a == 0xFF) & (b != 0x00)))
}

fn find_ff(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    memchr::memchr(0xFF, rest).and_then(|i| from.checked_add(i))
}

fn ends_early(at: usize) -> Error {
    Error::truncated(format!(
        "the file is not a complete JPEG: it ends before the part that starts at byte {at} is complete"
    ))
}

fn ends_in_scan(len: usize) -> Error {
    Error::truncated(format!(
        "the file is not a complete JPEG: it ends inside the compressed image data (after {len} bytes)"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::ErrorCode;

    /// A structurally valid stream; the walker does not decode, so table contents are dummies.
    fn synthetic(scan: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, SOI];
        v.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x04, b'h', b'i']); // APP0
        v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x03, 0x00]); // DQT
        v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x03, 0x00]); // SOF0
        v.extend_from_slice(&[0xFF, SOS, 0x00, 0x03, 0x00]);
        v.extend_from_slice(scan);
        v.extend_from_slice(&[0xFF, EOI]);
        v
    }

    fn kinds(layout: &JpegLayout) -> Vec<&PieceKind> {
        layout.pieces.iter().map(|p| &p.kind).collect()
    }

    fn assert_tiles(layout: &JpegLayout) {
        let mut at = 0;
        for piece in &layout.pieces {
            assert_eq!(piece.range.start, at, "gap before {piece:?}");
            at = piece.range.end;
        }
        assert_eq!(at, layout.end_of_image);
    }

    /// The block scan finds the same end as a byte-by-byte reading, wherever the marker falls
    /// relative to the blocks (first byte, last byte, the code in the next block) and however
    /// many stuffed 0xFF00 and restart markers come before it.
    #[test]
    fn block_scan_agrees_with_a_byte_by_byte_reading() {
        let reference = |bytes: &[u8], pos: usize| {
            (pos..bytes.len().saturating_sub(1)).find(|&i| {
                bytes[i] == 0xFF && bytes[i + 1] != 0 && !(0xD0..=0xD7).contains(&bytes[i + 1])
            })
        };
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in [0, 1, 2, 63, 64, 65, 66, 127, 128, 129, 300, 1000] {
            for _ in 0..200 {
                // Mostly stuffing and restarts, sometimes a real marker.
                let mut bytes: Vec<u8> = (0..len).map(|_| (next() % 7) as u8).collect();
                for _ in 0..(next() % 8) {
                    if len > 1 {
                        let at = (next() as usize) % (len - 1);
                        bytes[at] = 0xFF;
                        bytes[at + 1] =
                            [0x00, 0xD0, 0xD7, 0xD8, 0xCF, 0xFF, 0xD9][(next() % 7) as usize];
                    }
                }
                let pos = if len > 0 { (next() as usize) % len } else { 0 };
                let found = entropy_coded_end(&bytes, pos).ok();
                assert_eq!(found, reference(&bytes, pos), "{bytes:02x?} from {pos}");
            }
        }
        // A marker whose code is the first byte of the next block.
        for at in [62, 63, 64, 127, 128] {
            let mut bytes = vec![0x11; 200];
            bytes[at] = 0xFF;
            bytes[at + 1] = 0xD9;
            assert_eq!(entropy_coded_end(&bytes, 0).ok(), Some(at));
        }
    }

    #[test]
    fn walks_segments_and_scan_with_stuffing_and_restarts() {
        let scan = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD1, 0x78];
        let bytes = synthetic(&scan);
        let layout = walk(&bytes, &Limits::default()).unwrap();
        assert_tiles(&layout);
        let entropy: Vec<_> = layout
            .pieces
            .iter()
            .filter(|p| p.kind == PieceKind::EntropyCoded)
            .collect();
        assert_eq!(entropy.len(), 1);
        assert_eq!(&bytes[entropy[0].range.clone()], &scan);
        assert_eq!(layout.trailing, bytes.len()..bytes.len());
        assert_eq!(*kinds(&layout).last().unwrap(), &PieceKind::EndOfImage);
    }

    #[test]
    fn fill_bytes_belong_to_the_following_marker() {
        let mut bytes = synthetic(&[0x11, 0xFF, 0xFF, 0xD2, 0x22]);
        bytes.splice(2..2, [0xFF, 0xFF]);
        let layout = walk(&bytes, &Limits::default()).unwrap();
        assert_tiles(&layout);
        assert_eq!(layout.pieces[1].range.start, 2);
        assert!(layout
            .pieces
            .iter()
            .any(|p| p.kind == PieceKind::Standalone { marker: 0xD2 }));
        // The scan resumes after a fill-preceded restart marker.
        let entropy = layout
            .pieces
            .iter()
            .filter(|p| p.kind == PieceKind::EntropyCoded)
            .count();
        assert_eq!(entropy, 2);
    }

    #[test]
    fn reports_trailing_data_and_junk() {
        let mut bytes = synthetic(&[0x01]);
        bytes.extend_from_slice(b"TRAILER");
        bytes.splice(2..2, [0x00, 0x01]);
        let layout = walk(&bytes, &Limits::default()).unwrap();
        assert_tiles(&layout);
        assert_eq!(layout.pieces[1].kind, PieceKind::Junk);
        assert_eq!(&bytes[layout.trailing.clone()], b"TRAILER");
    }

    #[test]
    fn errors_on_bad_structure() {
        let limits = Limits::default();
        let good = synthetic(&[0x01]);
        for cut in 0..good.len() {
            let err = walk(&good[..cut], &limits).unwrap_err();
            assert!(matches!(
                err.code(),
                ErrorCode::Truncated | ErrorCode::Malformed
            ));
        }
        let mut zero_len = good.clone();
        zero_len[4..6].copy_from_slice(&[0x00, 0x01]);
        assert_eq!(
            walk(&zero_len, &limits).unwrap_err().code(),
            ErrorCode::Malformed
        );

        let no_frame = [0xFF, SOI, 0xFF, SOS, 0x00, 0x02, 0x00, 0xFF, EOI];
        assert_eq!(
            walk(&no_frame, &limits).unwrap_err().code(),
            ErrorCode::Malformed
        );

        let no_scan = [0xFF, SOI, 0xFF, EOI];
        assert_eq!(
            walk(&no_scan, &limits).unwrap_err().code(),
            ErrorCode::Malformed
        );

        let huge_len = [0xFF, SOI, 0xFF, 0xE1, 0xFF, 0xFF, 0x00];
        assert_eq!(
            walk(&huge_len, &limits).unwrap_err().code(),
            ErrorCode::Truncated
        );

        let tight = Limits {
            max_segments: 3,
            ..Limits::default()
        };
        assert_eq!(walk(&good, &tight).unwrap_err().code(), ErrorCode::TooLarge);
    }
}
