//! Blurring faces for good: each face (with a margin for hair and jaw) is pixelated into
//! blocks an eighth of its longer side, then box-blurred three times, so neither a person nor a
//! "depixelating" model can get the face back. The photo is re-encoded once (JPEG quality 92, or
//! PNG), with its colour profile and orientation and nothing else.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};

use super::faces::Face;
use super::orient::Orient;
use crate::Error;

/// JPEG quality of the blurred copy: high, so the rest of the photo barely changes.
pub const JPEG_QUALITY: u8 = 92;
/// Margin added around each detected box, as a fraction of its size on each side.
const MARGIN: f64 = 0.25;

/// Blurs `faces` (upright boxes) in stored pixels (`channels` 3 or 4, row-major).
///
/// The work is a fixed number of steps per pixel of each face, whatever its size: the face (with
/// its margin) is pixelated into blocks an eighth of its longer side, then each box blur keeps a running sum along
/// the line instead of adding up its whole window for every pixel (a 1,750 px selfie face has a
/// window of over 300 pixels: the sums cost the cube of the face's size, minutes for one photo).
pub fn blur_regions(
    pixels: &mut [u8],
    width: u32,
    height: u32,
    channels: usize,
    orient: Orient,
    faces: &[Face],
) {
    let expected = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(channels));
    if !(1..=4).contains(&channels) || expected != Some(pixels.len()) {
        return;
    }
    let mut scratch = Scratch::default();
    for face in faces {
        let Some(rect) = region(face, width, height, orient) else {
            continue;
        };
        let (_, _, sw, sh) = rect;
        let block = (sw.max(sh) / 8).max(4);
        pixelate(pixels, width, channels, rect, block);
        for _ in 0..3 {
            box_blur(
                pixels,
                width,
                channels,
                rect,
                (block / 2).max(2),
                &mut scratch,
            );
        }
    }
}

/// The stored-pixel rectangle blurred for `face`: its box with [`MARGIN`] on each side, clipped
/// to the photo; `None` when nothing of it is in the photo.
fn region(face: &Face, width: u32, height: u32, orient: Orient) -> Option<(u32, u32, u32, u32)> {
    let mx = (f64::from(face.width) * MARGIN).round() as u32;
    let my = (f64::from(face.height) * MARGIN).round() as u32;
    let (uw, uh) = orient.upright_size(width, height);
    let x = face.x.saturating_sub(mx);
    let y = face.y.saturating_sub(my);
    let w = face
        .width
        .saturating_add(mx.saturating_mul(2))
        .min(uw.saturating_sub(x));
    let h = face
        .height
        .saturating_add(my.saturating_mul(2))
        .min(uh.saturating_sub(y));
    if w == 0 || h == 0 {
        return None;
    }
    Some(orient.rect_to_stored((x, y, w, h), width, height))
}

/// Replaces each `block`×`block` square of the rectangle (clipped at its right and bottom
/// edges) by its mean colour. One pass over the rectangle, a band of block rows at a time.
fn pixelate(
    pixels: &mut [u8],
    width: u32,
    channels: usize,
    rect: (u32, u32, u32, u32),
    block: u32,
) {
    let (x0, y0, w, h) = rect;
    let (x0, y0, w, h, block) = (
        x0 as usize,
        y0 as usize,
        w as usize,
        h as usize,
        block.max(1) as usize,
    );
    let stride = width as usize * channels;
    let columns = w.div_ceil(block);
    let mut sums = vec![0u64; columns * channels];
    let mut by = 0;
    while by < h {
        let bh = block.min(h - by);
        sums.fill(0);
        for y in y0 + by..y0 + by + bh {
            let start = y * stride + x0 * channels;
            let Some(row) = pixels.get(start..start + w * channels) else {
                continue;
            };
            for (bx, part) in row.chunks(block * channels).enumerate() {
                let Some(acc) = sums.get_mut(bx * channels..(bx + 1) * channels) else {
                    continue;
                };
                for px in part.chunks_exact(channels) {
                    for (s, &v) in acc.iter_mut().zip(px) {
                        *s += u64::from(v);
                    }
                }
            }
        }
        // Each block's mean, in place of its sum.
        for (bx, acc) in sums.chunks_exact_mut(channels).enumerate() {
            let bw = block.min(w - bx * block);
            let n = (bw * bh).max(1) as u64;
            for s in acc.iter_mut() {
                *s /= n;
            }
        }
        for y in y0 + by..y0 + by + bh {
            let start = y * stride + x0 * channels;
            let Some(row) = pixels.get_mut(start..start + w * channels) else {
                continue;
            };
            for (part, mean) in row
                .chunks_mut(block * channels)
                .zip(sums.chunks_exact(channels))
            {
                for px in part.chunks_exact_mut(channels) {
                    for (p, &m) in px.iter_mut().zip(mean) {
                        *p = m as u8;
                    }
                }
            }
        }
        by += bh;
    }
}

/// Reused buffers of the box blur, so a photo's faces allocate them once.
#[derive(Default)]
struct Scratch {
    line: Vec<u8>,
    strip: Vec<u8>,
    out: Vec<u8>,
    sums: Vec<u32>,
}

/// Columns of the vertical pass gathered together: a strip of the rectangle this wide is copied
/// out (rows of `STRIP` pixels, a cache line or so each) so the pass reads memory in order.
const STRIP: usize = 16;

/// A separable box blur of `radius` inside the rectangle: each pixel becomes the mean of the
/// pixels within `radius` of it along the row, then along the column; the window is cut at the
/// rectangle's edges (the mean is then of fewer pixels).
fn box_blur(
    pixels: &mut [u8],
    width: u32,
    channels: usize,
    rect: (u32, u32, u32, u32),
    radius: u32,
    scratch: &mut Scratch,
) {
    let (x0, y0, w, h) = (
        rect.0 as usize,
        rect.1 as usize,
        rect.2 as usize,
        rect.3 as usize,
    );
    let r = radius as usize;
    let stride = width as usize * channels;
    let Scratch {
        line,
        strip,
        out,
        sums,
    } = scratch;
    // Along each row: the row's part is copied out, and the means written straight back.
    for y in y0..y0 + h {
        let start = y * stride + x0 * channels;
        let Some(row) = pixels.get_mut(start..start + w * channels) else {
            continue;
        };
        line.clear();
        line.extend_from_slice(row);
        window_means(line, channels, r, sums, row);
    }
    // Along each column, a strip of columns at a time.
    let mut sx = 0;
    while sx < w {
        let sw = STRIP.min(w - sx);
        let lanes = sw * channels;
        strip.clear();
        for y in y0..y0 + h {
            let start = y * stride + (x0 + sx) * channels;
            if let Some(part) = pixels.get(start..start + lanes) {
                strip.extend_from_slice(part);
            }
        }
        out.clear();
        out.resize(strip.len(), 0);
        window_means(strip, lanes, r, sums, out);
        for (i, part) in out.chunks_exact(lanes).enumerate() {
            let start = (y0 + i) * stride + (x0 + sx) * channels;
            if let Some(dst) = pixels.get_mut(start..start + lanes) {
                dst.copy_from_slice(part);
            }
        }
        sx += sw;
    }
}

/// Means over a sliding window: `src` is a run of steps of `lanes` values each; step `i` of
/// `out` gets, lane by lane, the mean of steps `i - r ..= i + r` that exist (rounded down). A
/// running sum per lane gains the step entering the window and loses the one leaving it, so the
/// cost per value does not depend on `r`.
fn window_means(src: &[u8], lanes: usize, r: usize, sums: &mut Vec<u32>, out: &mut [u8]) {
    if lanes == 0 || out.len() != src.len() {
        return;
    }
    let n = src.len() / lanes;
    let step = |i: usize| src.get(i * lanes..(i + 1) * lanes).unwrap_or_default();
    sums.clear();
    sums.resize(lanes, 0);
    let mut count = 0u32;
    for i in 0..n.min(r + 1) {
        for (s, &v) in sums.iter_mut().zip(step(i)) {
            *s += u32::from(v);
        }
        count += 1;
    }
    let mut div = Divisor::new(count);
    for (i, dst) in out.chunks_exact_mut(lanes).enumerate() {
        if div.divisor != count {
            div = Divisor::new(count);
        }
        for (d, &s) in dst.iter_mut().zip(sums.iter()) {
            *d = div.divide(s) as u8;
        }
        if i + r + 1 < n {
            for (s, &v) in sums.iter_mut().zip(step(i + r + 1)) {
                *s += u32::from(v);
            }
            count += 1;
        }
        if i >= r {
            for (s, &v) in sums.iter_mut().zip(step(i - r)) {
                *s -= u32::from(v);
            }
            count -= 1;
        }
    }
}

/// Division by a number fixed for a whole step, as a multiplication and a shift (a division
/// per value was most of the blur's time). Exact, rounded down, for every sum of at most 255 ×
/// the divisor when the divisor is at most [`Divisor::MAX_FAST`] (a window that long is a face
/// over 130,000 pixels wide, past any image [`crate::Limits`] lets through); above, a plain
/// division.
#[derive(Clone, Copy)]
struct Divisor {
    divisor: u32,
    multiplier: u64,
}

impl Divisor {
    const SHIFT: u32 = 40;
    /// The rounding error stays under one for sums below 2^40 / d, and 255 × d² < 2^40 up to this.
    const MAX_FAST: u32 = 65_000;

    fn new(divisor: u32) -> Self {
        Divisor {
            divisor,
            multiplier: (1u64 << Self::SHIFT) / u64::from(divisor.max(1)) + 1,
        }
    }

    fn divide(self, value: u32) -> u32 {
        if self.divisor > Self::MAX_FAST {
            return value / self.divisor.max(1);
        }
        ((u64::from(value) * self.multiplier) >> Self::SHIFT) as u32
    }
}

/// Encodes stored pixels as JPEG (RGB) with the ICC profile and an Orientation-only EXIF.
pub fn encode_jpeg(
    rgb: &[u8],
    width: u32,
    height: u32,
    icc: Option<Vec<u8>>,
    orientation: u8,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    if let Some(icc) = icc {
        // An unsupported profile is left out rather than failing the fix.
        let _ = encoder.set_icc_profile(icc);
    }
    encoder
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| Error::invalid(format!("the blurred photo could not be encoded: {e}")))?;
    if (2..=8).contains(&orientation) && out.starts_with(&[0xFF, 0xD8]) {
        let app1 = crate::media::orientation_exif::orientation_app1(u16::from(orientation));
        let mut with = Vec::with_capacity(out.len() + app1.len());
        with.extend_from_slice(out.get(..2).unwrap_or_default());
        with.extend_from_slice(&app1);
        with.extend_from_slice(out.get(2..).unwrap_or_default());
        out = with;
    }
    Ok(out)
}

/// Encodes stored pixels as PNG (RGB or RGBA) with the ICC profile.
pub fn encode_png(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: usize,
    icc: Option<Vec<u8>>,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new(&mut out);
    if let Some(icc) = icc {
        let _ = encoder.set_icc_profile(icc);
    }
    let color = if channels == 4 {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    encoder
        .write_image(pixels, width, height, color)
        .map_err(|e| Error::invalid(format!("the blurred photo could not be encoded: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// The blur as it was first written: every window added up for every pixel (its cost grew
    /// with the radius). The running sums must give exactly its pixels.
    fn box_blur_by_windows(
        pixels: &mut [u8],
        width: u32,
        channels: usize,
        rect: (u32, u32, u32, u32),
        radius: u32,
    ) {
        let (x0, y0, w, h) = rect;
        let stride = width as usize * channels;
        let r = radius as i64;
        for pass in 0..2 {
            let (outer, inner) = if pass == 0 { (h, w) } else { (w, h) };
            for o in 0..outer {
                let at = |i: u32| -> usize {
                    if pass == 0 {
                        (y0 + o) as usize * stride + (x0 + i) as usize * channels
                    } else {
                        (y0 + i) as usize * stride + (x0 + o) as usize * channels
                    }
                };
                let line: Vec<u8> = (0..inner)
                    .flat_map(|i| (0..channels).map(move |c| (i, c)))
                    .map(|(i, c)| pixels[at(i) + c])
                    .collect();
                for i in 0..inner as i64 {
                    for c in 0..channels {
                        let (mut sum, mut n) = (0u32, 0u32);
                        for k in (i - r).max(0)..=(i + r).min(inner as i64 - 1) {
                            sum += u32::from(line[k as usize * channels + c]);
                            n += 1;
                        }
                        pixels[at(i as u32) + c] = (sum / n) as u8;
                    }
                }
            }
        }
    }

    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn running_sums_give_the_pixels_of_adding_up_every_window() {
        // Rectangles narrower and wider than a strip of columns, radii smaller and larger than
        // the rectangle, at the photo's edges and inside it, RGB and RGBA.
        let cases = [
            (3, (0, 0, 37, 29), 2),
            (3, (5, 7, 40, 33), 6),
            (4, (0, 3, 17, 50), 9),
            (3, (44, 50, 16, 14), 30),
            (4, (10, 0, 50, 64), 1),
            (3, (1, 1, 1, 1), 3),
        ];
        for (seed, (channels, rect, radius)) in cases.into_iter().enumerate() {
            let (width, height) = (60u32, 64u32);
            let original = noise(width as usize * height as usize * channels, seed as u64 + 1);
            let mut expected = original.clone();
            box_blur_by_windows(&mut expected, width, channels, rect, radius);
            let mut got = original.clone();
            box_blur(
                &mut got,
                width,
                channels,
                rect,
                radius,
                &mut Scratch::default(),
            );
            assert_eq!(
                got, expected,
                "rect {rect:?} radius {radius} channels {channels}"
            );
        }
    }

    #[test]
    fn the_divisor_is_exact_over_every_window_sum() {
        for d in [1u32, 2, 3, 7, 255, 1000, 4097, 65_000, 65_001, 100_000] {
            let div = Divisor::new(d);
            let max = 255 * d;
            let step = (max / 5000).max(1);
            for s in (0..=max).step_by(step as usize).chain([max - 1, max]) {
                assert_eq!(div.divide(s), s / d, "{s} / {d}");
            }
        }
    }

    #[test]
    fn pixelating_gives_each_block_its_mean_and_leaves_the_rest() {
        let (width, height, channels) = (20u32, 12u32, 3usize);
        let original = noise(width as usize * height as usize * channels, 9);
        let mut got = original.clone();
        pixelate(&mut got, width, channels, (3, 2, 11, 9), 4);
        let stride = width as usize * channels;
        for y in 0..height as usize {
            for x in 0..width as usize {
                for c in 0..channels {
                    let at = y * stride + x * channels + c;
                    let inside = (3..14).contains(&x) && (2..11).contains(&y);
                    if !inside {
                        assert_eq!(got[at], original[at]);
                        continue;
                    }
                    // The block this pixel is in, clipped to the rectangle.
                    let (bx, by) = (3 + (x - 3) / 4 * 4, 2 + (y - 2) / 4 * 4);
                    let (ex, ey) = ((bx + 4).min(14), (by + 4).min(11));
                    let mut sum = 0u64;
                    for yy in by..ey {
                        for xx in bx..ex {
                            sum += u64::from(original[yy * stride + xx * channels + c]);
                        }
                    }
                    let n = ((ex - bx) * (ey - by)) as u64;
                    assert_eq!(u64::from(got[at]), sum / n, "({x}, {y}) channel {c}");
                }
            }
        }
    }
}
