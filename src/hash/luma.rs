//! Pixels to the float32 luminance PDQ hashes, turned upright on the way.
//!
//! `Y = 0.299·R + 0.587·G + 0.114·B` in float32, summed left to right as the reference does
//! (it matters to the last bit). Grey images use the grey value itself, as the reference does for
//! one-channel input. Alpha is ignored (the colour is taken as stored, not composited).
//!
//! The EXIF orientation, when there is one, is applied here rather than to the decoded pixels:
//! luminance is computed per pixel, so rotating it is the same as rotating the colours, and it
//! costs no extra copy of the image. Rows are converted a band at a time and written to their
//! turned position, so a quarter turn writes whole cache lines instead of one float per line.

use image::metadata::Orientation;

use super::jarosz::zeroed;
use crate::Error;

/// Luma weights (ITU-R BT.601), as float32 constants like the reference's.
const RED: f32 = 0.299;
const GREEN: f32 = 0.587;
const BLUE: f32 = 0.114;

/// How the bytes of one pixel are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Rgb,
    Rgba,
    Grey,
    GreyAlpha,
}

impl Layout {
    pub(crate) fn channels(self) -> usize {
        match self {
            Layout::Rgb => 3,
            Layout::Rgba => 4,
            Layout::Grey => 1,
            Layout::GreyAlpha => 2,
        }
    }
}

/// Source rows converted together before being written turned.
const BAND: usize = 16;

/// A luminance image, row-major.
pub(crate) struct Luma {
    pub data: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
}

/// Converts `width × height` pixels (row-major, no padding) to luminance, upright.
/// `pixels` must hold exactly `width · height · channels` bytes.
pub(crate) fn luma(
    pixels: &[u8],
    layout: Layout,
    width: usize,
    height: usize,
    orientation: Orientation,
) -> Result<Luma, Error> {
    let expected = width
        .checked_mul(height)
        .and_then(|n| n.checked_mul(layout.channels()));
    if expected != Some(pixels.len()) {
        return Err(Error::malformed(format!(
            "{width}×{height} pixels need {} bytes, got {}",
            expected.map_or_else(|| "more than addressable".to_string(), |n| n.to_string()),
            pixels.len()
        )));
    }
    let transposed = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (rows, cols) = if transposed {
        (width, height)
    } else {
        (height, width)
    };
    if width == 0 || height == 0 {
        return Ok(Luma {
            data: Vec::new(),
            rows,
            cols,
        });
    }
    let stride = width * layout.channels();

    if orientation == Orientation::NoTransforms {
        // The common case: convert straight into place, without first filling the buffer
        // with zeros (a whole extra pass over the largest buffer of the hash).
        let mut data = Vec::new();
        data.try_reserve_exact(width * height).map_err(|_| {
            Error::too_large("there is not enough memory to hash an image this large")
        })?;
        for src in pixels.chunks_exact(stride) {
            let start = data.len();
            data.resize(start + width, 0.0);
            if let Some(dst) = data.get_mut(start..) {
                luma_row(src, layout, dst);
            }
        }
        return Ok(Luma { data, rows, cols });
    }

    let mut data = zeroed(width * height)?;
    let mut band = zeroed(BAND * width)?;
    for (index, source) in pixels.chunks(stride * BAND).enumerate() {
        let first_row = index * BAND;
        let mut band_rows = 0;
        for (src, dst) in source
            .chunks_exact(stride)
            .zip(band.chunks_exact_mut(width))
        {
            luma_row(src, layout, dst);
            band_rows += 1;
        }
        let band = band.get(..band_rows * width).unwrap_or_default();
        place_band(band, first_row, width, height, orientation, &mut data);
    }
    Ok(Luma { data, rows, cols })
}

fn luma_row(src: &[u8], layout: Layout, dst: &mut [f32]) {
    let weigh =
        |r: u8, g: u8, b: u8| RED * f32::from(r) + GREEN * f32::from(g) + BLUE * f32::from(b);
    match layout {
        Layout::Rgb => {
            for (y, p) in dst.iter_mut().zip(src.chunks_exact(3)) {
                if let &[r, g, b] = p {
                    *y = weigh(r, g, b);
                }
            }
        }
        Layout::Rgba => {
            for (y, p) in dst.iter_mut().zip(src.chunks_exact(4)) {
                if let &[r, g, b, _] = p {
                    *y = weigh(r, g, b);
                }
            }
        }
        Layout::Grey => {
            for (y, &v) in dst.iter_mut().zip(src) {
                *y = f32::from(v);
            }
        }
        Layout::GreyAlpha => {
            for (y, p) in dst.iter_mut().zip(src.chunks_exact(2)) {
                if let &[v, _] = p {
                    *y = f32::from(v);
                }
            }
        }
    }
}

/// Writes source rows `first_row..` (held in `band`, `width` wide) to their place in the
/// upright image `out`. For the source pixel at column `x`, row `y` of a `width × height`
/// image, the upright position is (EXIF numbering in brackets):
/// - no change (1): `(x, y)`; mirrored (2): `(w-1-x, y)`; upside down (3): `(w-1-x, h-1-y)`;
///   flipped (4): `(x, h-1-y)`;
/// - transposed (5): `(y, x)`; turned clockwise (6): `(h-1-y, x)`;
///   transverse (7): `(h-1-y, w-1-x)`; turned anticlockwise (8): `(y, w-1-x)`.
fn place_band(
    band: &[f32],
    first_row: usize,
    width: usize,
    height: usize,
    orientation: Orientation,
    out: &mut [f32],
) {
    use Orientation::*;
    let band_rows = band.len() / width;
    match orientation {
        NoTransforms | FlipHorizontal | FlipVertical | Rotate180 => {
            let mirror = matches!(orientation, FlipHorizontal | Rotate180);
            let upside_down = matches!(orientation, FlipVertical | Rotate180);
            for (k, src) in band.chunks_exact(width).enumerate() {
                let y = first_row + k;
                let target = if upside_down { height - 1 - y } else { y };
                let Some(dst) = out.get_mut(target * width..(target + 1) * width) else {
                    continue;
                };
                if mirror {
                    for (d, s) in dst.iter_mut().zip(src.iter().rev()) {
                        *d = *s;
                    }
                } else {
                    dst.copy_from_slice(src);
                }
            }
        }
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => {
            // Upright image: `height` wide, `width` tall. Source column x becomes upright row
            // x (or w-1-x), and the band's rows become a run of adjacent upright columns
            // starting at y (or ending at h-1-y, reversed).
            let reversed_rows = matches!(orientation, Rotate270 | Rotate270FlipH);
            let reversed_run = matches!(orientation, Rotate90 | Rotate270FlipH);
            for x in 0..width {
                let target_row = if reversed_rows { width - 1 - x } else { x };
                let start = if reversed_run {
                    height - first_row - band_rows
                } else {
                    first_row
                };
                let at = target_row * height + start;
                let Some(dst) = out.get_mut(at..at + band_rows) else {
                    continue;
                };
                let column = band.iter().skip(x).step_by(width);
                if reversed_run {
                    for (d, s) in dst.iter_mut().rev().zip(column) {
                        *d = *s;
                    }
                } else {
                    for (d, s) in dst.iter_mut().zip(column) {
                        *d = *s;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbImage};

    fn sample(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                (x * 7 + y * 3) as u8,
                (x * x + y) as u8,
                (255 - (x + 2 * y) % 256) as u8,
            ])
        })
    }

    #[test]
    fn orientation_equals_turning_the_pixels_first() {
        // 37 rows: two full bands and a partial one; odd sizes catch off-by-one errors.
        let rgb = sample(23, 37);
        for code in 1..=8u8 {
            let Some(orientation) = Orientation::from_exif(code) else {
                continue;
            };
            let mut turned = DynamicImage::ImageRgb8(rgb.clone());
            turned.apply_orientation(orientation);
            let turned = turned.to_rgb8();
            let want = luma(
                turned.as_raw(),
                Layout::Rgb,
                turned.width() as usize,
                turned.height() as usize,
                Orientation::NoTransforms,
            );
            let got = luma(rgb.as_raw(), Layout::Rgb, 23, 37, orientation);
            let (Ok(want), Ok(got)) = (want, got) else {
                unreachable!("sizes are consistent");
            };
            assert_eq!(
                (got.rows, got.cols),
                (want.rows, want.cols),
                "orientation {code}"
            );
            assert_eq!(got.data, want.data, "orientation {code}");
        }
    }

    #[test]
    fn weights_and_layouts() {
        let rgb = [10u8, 200, 30];
        let rgba = [10u8, 200, 30, 7];
        let one =
            |px: &[u8], layout| luma(px, layout, 1, 1, Orientation::NoTransforms).map(|l| l.data);
        let want = 0.299f32 * 10.0 + 0.587 * 200.0 + 0.114 * 30.0;
        assert_eq!(one(&rgb, Layout::Rgb), Ok(vec![want]));
        assert_eq!(one(&rgba, Layout::Rgba), Ok(vec![want]));
        assert_eq!(one(&[77], Layout::Grey), Ok(vec![77.0]));
        assert_eq!(one(&[77, 0], Layout::GreyAlpha), Ok(vec![77.0]));
    }

    #[test]
    fn wrong_buffer_length_is_malformed() {
        let err = luma(&[0; 5], Layout::Rgb, 1, 2, Orientation::NoTransforms).err();
        assert_eq!(err.map(|e| e.code()), Some(crate::ErrorCode::Malformed));
    }
}
