//! PDQ, Meta's perceptual image hash, bit-exact with the reference C++ implementation
//! (facebook/ThreatExchange `pdq/`), written from its published description.
//!
//! Steps: float32 luminance; below 5 pixels on a side, the all-zero hash with quality 0;
//! a Jarosz filter and decimation to 64×64 (a 64×64 image is used as is, as the reference does
//! for video frames); a quality score from the 64×64 image's gradients; the 16×16 lowest DCT
//! coefficients; each bit says whether a coefficient is above the median. The eight dihedral
//! hashes come from the same DCT.
//!
//! Helplines (StopNCII, Take It Down) and platforms compare hashes by Hamming distance: at most
//! [`PDQ_MATCH_THRESHOLD`] differing bits is a match, and hashes with a quality below
//! [`PDQ_MIN_QUALITY`] (flat or nearly blank images) should not be trusted either way.

use std::fmt;
use std::str::FromStr;

use image::metadata::Orientation;

use super::dct::{dct_64_to_16, SIDE};
use super::dihedral::Dihedral;
use super::jarosz::{decimate, jarosz_filter, DOWNSAMPLED};
use super::luma::{luma, Layout, Luma};
use super::median::torben_median;
use crate::Error;

/// Two hashes of the same picture differ by at most this many bits (the reference's advice).
pub const PDQ_MATCH_THRESHOLD: u32 = 31;

/// Hashes with a lower quality (49 or less) are unreliable: the reference advises discarding
/// them rather than matching.
pub const PDQ_MIN_QUALITY: u8 = 50;

/// Images narrower or shorter than this get the all-zero hash and quality 0.
const MIN_HASHABLE_SIDE: usize = 5;

/// A 256-bit PDQ hash.
///
/// Stored as the reference stores it, sixteen 16-bit words where bit `16·i + j` is coefficient
/// `(i, j)`; written as the reference writes it, 64 lowercase hex digits from the last word to
/// the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PdqHash([u16; 16]);

impl PdqHash {
    /// The all-zero hash, given to images too small to hash.
    pub const ZERO: PdqHash = PdqHash([0; 16]);

    /// The sixteen words, word 0 first (it is printed last).
    pub fn words(&self) -> [u16; 16] {
        self.0
    }

    /// Number of differing bits, 0 to 256.
    pub fn distance(&self, other: &PdqHash) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// Whether two hashes are close enough to be the same picture.
    pub fn matches(&self, other: &PdqHash) -> bool {
        self.distance(other) <= PDQ_MATCH_THRESHOLD
    }

    /// 64 lowercase hex digits, last word first (the reference's `%04hx` from word 15 down).
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// Parses 64 hex digits (either case), as [`PdqHash::to_hex`] writes them. Anything else is
    /// `malformed`.
    pub fn from_hex(text: &str) -> Result<PdqHash, Error> {
        let bad = || Error::malformed("a PDQ hash is written as 64 hexadecimal digits");
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut words = [0u16; 16];
        for (word, digits) in words.iter_mut().rev().zip(text.as_bytes().chunks_exact(4)) {
            let digits = std::str::from_utf8(digits).map_err(|_| bad())?;
            *word = u16::from_str_radix(digits, 16).map_err(|_| bad())?;
        }
        Ok(PdqHash(words))
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for word in self.0.iter().rev() {
            write!(f, "{word:04x}")?;
        }
        Ok(())
    }
}

impl FromStr for PdqHash {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PdqHash::from_hex(text)
    }
}

/// A PDQ hash with its quality and its eight dihedral variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqResult {
    /// The hash of the image as given (equal to `dihedral[0]`).
    pub hash: PdqHash,
    /// 0 to 100; below [`PDQ_MIN_QUALITY`] the hash should not be trusted.
    pub quality: u8,
    /// The hashes of the image rotated and flipped, in the order of [`Dihedral::ALL`]
    /// (original, rot90, rot180, rot270, flipx, flipy, flipplus1, flipminus1).
    pub dihedral: [PdqHash; 8],
}

impl PdqResult {
    /// What the reference gives an image too small to hash.
    fn unhashable() -> Self {
        PdqResult {
            hash: PdqHash::ZERO,
            quality: 0,
            dihedral: [PdqHash::ZERO; 8],
        }
    }

    /// The hash of one variant.
    pub fn variant(&self, which: Dihedral) -> PdqHash {
        let index = Dihedral::ALL.iter().position(|d| *d == which).unwrap_or(0);
        self.dihedral.get(index).copied().unwrap_or(self.hash)
    }
}

/// PDQ of `width × height` RGB pixels (3 bytes a pixel, row-major, no padding), as they are.
///
/// For pixels a browser has already decoded (drop the alpha of `ImageData` first). Errors:
/// `malformed` when `rgb` does not hold exactly `width · height · 3` bytes, `too-large` when
/// there is not enough memory for the working buffer (4 bytes a pixel).
pub fn pdq_from_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<PdqResult, Error> {
    pdq_from_pixels(
        rgb,
        Layout::Rgb,
        width as usize,
        height as usize,
        Orientation::NoTransforms,
    )
}

/// PDQ of `width × height` RGBA pixels (4 bytes a pixel, row-major, no padding: a canvas's
/// `ImageData`), as they are; alpha is ignored as in [`pdq_from_rgb`]. Same errors.
pub fn pdq_from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<PdqResult, Error> {
    pdq_from_pixels(
        rgba,
        Layout::Rgba,
        width as usize,
        height as usize,
        Orientation::NoTransforms,
    )
}

/// PDQ of pixels in any of the layouts the decoder gives, turned upright first.
pub(crate) fn pdq_from_pixels(
    pixels: &[u8],
    layout: Layout,
    width: usize,
    height: usize,
    orientation: Orientation,
) -> Result<PdqResult, Error> {
    let luma = luma(pixels, layout, width, height, orientation)?;
    pdq_from_luma(luma)
}

/// PDQ of a luminance image; consumes it because the filter works in place.
pub(crate) fn pdq_from_luma(mut luma: Luma) -> Result<PdqResult, Error> {
    let Luma { rows, cols, .. } = luma;
    if rows < MIN_HASHABLE_SIDE || cols < MIN_HASHABLE_SIDE {
        return Ok(PdqResult::unhashable());
    }
    let grid = if rows == DOWNSAMPLED && cols == DOWNSAMPLED {
        let mut grid = [[0.0f32; DOWNSAMPLED]; DOWNSAMPLED];
        for (row, values) in grid.iter_mut().zip(luma.data.chunks_exact(DOWNSAMPLED)) {
            row.copy_from_slice(values);
        }
        grid
    } else {
        jarosz_filter(&mut luma.data, cols)?;
        decimate(&luma.data, rows, cols)
    };
    drop(luma);

    let quality = quality(&grid);
    let coefficients = dct_64_to_16(&grid);
    let dihedral = Dihedral::ALL.map(|d| threshold(&d.apply(&coefficients)));
    Ok(PdqResult {
        hash: dihedral[0],
        quality,
        dihedral,
    })
}

/// The reference's quality score: the sum over all horizontally and vertically adjacent pairs
/// of the 64×64 image of `|trunc((u - v) · 100 / 255)|` (float32 arithmetic, truncated to an
/// integer *per pair*), divided by 90 and capped at 100. Flat images score low.
fn quality(grid: &[[f32; DOWNSAMPLED]; DOWNSAMPLED]) -> u8 {
    let step = |u: f32, v: f32| ((((u - v) * 100.0) / 255.0) as i32).unsigned_abs();
    let mut sum = 0u32;
    for (upper, lower) in grid.iter().zip(grid.iter().skip(1)) {
        sum += upper
            .iter()
            .zip(lower)
            .map(|(&u, &v)| step(u, v))
            .sum::<u32>();
    }
    for row in grid {
        sum += row
            .iter()
            .zip(row.iter().skip(1))
            .map(|(&u, &v)| step(u, v))
            .sum::<u32>();
    }
    (sum / 90).min(100) as u8
}

/// One bit per coefficient: set when strictly above the (lower) median of the 256.
fn threshold(coefficients: &[[f32; SIDE]; SIDE]) -> PdqHash {
    let mut flat = [0.0f32; SIDE * SIDE];
    for (dst, src) in flat.chunks_exact_mut(SIDE).zip(coefficients) {
        dst.copy_from_slice(src);
    }
    let median = torben_median(&flat);
    let mut words = [0u16; 16];
    for (word, row) in words.iter_mut().zip(coefficients) {
        for (bit, &c) in row.iter().enumerate() {
            if c > median {
                *word |= 1 << bit;
            }
        }
    }
    PdqHash(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_last_word_first() {
        let mut words = [0u16; 16];
        words[0] = 0x0001;
        words[15] = 0xabcd;
        let hex = PdqHash(words).to_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("abcd0000"));
        assert!(hex.ends_with("00000001"));
        assert_eq!(PdqHash::from_hex(&hex), Ok(PdqHash(words)));
        assert_eq!(
            PdqHash::from_hex(&hex.to_uppercase()),
            Ok(PdqHash(words)),
            "either case parses"
        );
    }

    #[test]
    fn bad_hex_is_malformed() {
        for text in ["", "abc", &"g".repeat(64), &"0".repeat(63), &"0".repeat(65)] {
            let err = PdqHash::from_hex(text).err().map(|e| e.code());
            assert_eq!(err, Some(crate::ErrorCode::Malformed), "{text:?}");
        }
        // A multi-byte character must not be split mid-way.
        let sneaky = format!("{}é", "0".repeat(62));
        assert_eq!(sneaky.len(), 64);
        assert!(PdqHash::from_hex(&sneaky).is_err());
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = PdqHash::ZERO;
        let mut words = [0u16; 16];
        words[3] = 0b1011;
        words[9] = 0xffff;
        let b = PdqHash(words);
        assert_eq!(a.distance(&b), 19);
        assert_eq!(b.distance(&a), 19);
        assert!(a.matches(&b));
        assert!(!a.matches(&PdqHash([0xffff; 16])));
    }

    #[test]
    fn quality_truncates_each_pair() {
        // A step of 2 grey levels: 2·100/255 = 0.78 truncates to 0 for every pair, so the
        // score is 0 (summing first and truncating once would give 2·63·64·0.78/90 = 70).
        let grid: [[f32; 64]; 64] =
            std::array::from_fn(|i| std::array::from_fn(|j| ((i + j) % 2 * 2) as f32));
        assert_eq!(quality(&grid), 0);
        // A step of 255 gives 100 per pair, capped at 100 overall.
        let grid: [[f32; 64]; 64] =
            std::array::from_fn(|i| std::array::from_fn(|j| ((i + j) % 2 * 255) as f32));
        assert_eq!(quality(&grid), 100);
    }

    #[test]
    fn threshold_is_strictly_above_the_lower_median() {
        let coefficients: [[f32; 16]; 16] =
            std::array::from_fn(|i| std::array::from_fn(|j| (i * 16 + j) as f32));
        // Values 0..=255; lower median 127; bits 128..=255 set: words 8..=15 full.
        let hash = threshold(&coefficients);
        assert_eq!(
            hash.words(),
            [
                0, 0, 0, 0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
                0xffff
            ]
        );
    }
}
