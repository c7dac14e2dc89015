//! Blurring faces for good: each face (with a margin for hair and jaw) is pixelated into
//! blocks an eighth of the face wide, then box-blurred three times, so neither a person nor a
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
pub fn blur_regions(
    pixels: &mut [u8],
    width: u32,
    height: u32,
    channels: usize,
    orient: Orient,
    faces: &[Face],
) {
    for face in faces {
        let mx = (f64::from(face.width) * MARGIN).round() as u32;
        let my = (f64::from(face.height) * MARGIN).round() as u32;
        let (uw, uh) = orient.upright_size(width, height);
        let x = face.x.saturating_sub(mx);
        let y = face.y.saturating_sub(my);
        let w = (face.width + 2 * mx).min(uw - x.min(uw));
        let h = (face.height + 2 * my).min(uh - y.min(uh));
        if w == 0 || h == 0 {
            continue;
        }
        let (sx, sy, sw, sh) = orient.rect_to_stored((x, y, w, h), width, height);
        let block = (sw.max(sh) / 8).max(4);
        pixelate(pixels, width, channels, (sx, sy, sw, sh), block);
        for _ in 0..3 {
            box_blur(
                pixels,
                width,
                channels,
                (sx, sy, sw, sh),
                (block / 2).max(2),
            );
        }
    }
}

fn pixelate(
    pixels: &mut [u8],
    width: u32,
    channels: usize,
    rect: (u32, u32, u32, u32),
    block: u32,
) {
    let (x0, y0, w, h) = rect;
    let stride = width as usize * channels;
    let mut by = y0;
    while by < y0 + h {
        let bh = block.min(y0 + h - by);
        let mut bx = x0;
        while bx < x0 + w {
            let bw = block.min(x0 + w - bx);
            let mut sum = [0u64; 4];
            for y in by..by + bh {
                for x in bx..bx + bw {
                    let at = y as usize * stride + x as usize * channels;
                    for (c, s) in sum.iter_mut().enumerate().take(channels) {
                        *s += u64::from(pixels.get(at + c).copied().unwrap_or(0));
                    }
                }
            }
            let n = u64::from(bw) * u64::from(bh);
            for y in by..by + bh {
                for x in bx..bx + bw {
                    let at = y as usize * stride + x as usize * channels;
                    for (c, s) in sum.iter().enumerate().take(channels) {
                        if let Some(p) = pixels.get_mut(at + c) {
                            *p = (s / n.max(1)) as u8;
                        }
                    }
                }
            }
            bx += bw;
        }
        by += bh;
    }
}

/// A separable box blur of `radius` inside the rectangle (edges clamp to the rectangle).
fn box_blur(
    pixels: &mut [u8],
    width: u32,
    channels: usize,
    rect: (u32, u32, u32, u32),
    radius: u32,
) {
    let (x0, y0, w, h) = rect;
    let stride = width as usize * channels;
    let r = radius as i64;
    let mut line: Vec<u8> = Vec::new();
    // Horizontal, then vertical.
    for pass in 0..2 {
        let (outer, inner) = if pass == 0 { (h, w) } else { (w, h) };
        for o in 0..outer {
            line.clear();
            let at = |i: u32| -> usize {
                if pass == 0 {
                    (y0 + o) as usize * stride + (x0 + i) as usize * channels
                } else {
                    (y0 + i) as usize * stride + (x0 + o) as usize * channels
                }
            };
            for i in 0..inner {
                for c in 0..channels {
                    line.push(pixels.get(at(i) + c).copied().unwrap_or(0));
                }
            }
            for i in 0..inner as i64 {
                for c in 0..channels {
                    let mut sum = 0u32;
                    let mut n = 0u32;
                    for k in (i - r).max(0)..=(i + r).min(inner as i64 - 1) {
                        sum += u32::from(line.get(k as usize * channels + c).copied().unwrap_or(0));
                        n += 1;
                    }
                    if let Some(p) = pixels.get_mut(at(i as u32) + c) {
                        *p = (sum / n.max(1)) as u8;
                    }
                }
            }
        }
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
