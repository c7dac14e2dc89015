//! Faces, found on the device: a clear face is what a face-swap or "deepnude" app needs.
//!
//! The detector is MediaPipe's BlazeFace full-range network ([`super::blazeface`], Apache-2.0),
//! which finds faces turned sideways, tilted or in profile as well as frontal ones. It looks at an
//! upright RGB copy of the photo, in passes over the whole copy at a few sizes ([`Detail`]).
//! Boxes come back in the photo's own (upright) pixels.

use serde::Serialize;

use super::blazeface::{self, Candidate, SIDE_STEP};
use super::nn::Map;
use super::orient::Orient;
use crate::Error;

/// How closely to look. The network sees faces from about 20 px to its whole input, so each
/// pass over the whole photo at another size catches faces of other sizes; time grows with the
/// square of the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// For the warning, which must come quickly: passes at 192 and 640 px (long side). Finds
    /// faces from about 3 % of the photo's long side (40 px in a 1280 px photo, 125 px in a
    /// 4000 px one) up to the whole photo.
    Quick,
    /// For the fixes the person chose (blur, crop), where a missed face would be sent: a third
    /// pass at 1280 px finds faces down to about 1.5 % of the long side (a class photo's).
    Thorough,
}

impl Detail {
    /// Long sides of the passes, smallest first. A photo smaller than a pass is not enlarged
    /// for it (except for the first, so a small photo's large face is still seen whole).
    pub fn passes(self) -> &'static [u32] {
        match self {
            Detail::Quick => &[192, 640],
            Detail::Thorough => &[192, 640, 1280],
        }
    }

    /// Long side of the upright copy the passes are made from (the largest pass).
    pub fn side(self) -> u32 {
        self.passes().last().copied().unwrap_or(640)
    }
}

/// A face this wide (in the photo's pixels) or wider is large enough to be reused.
pub const REUSABLE_MIN_SIDE: u32 = 80;
/// Mean absolute Laplacian (grey levels) above which a face counts as sharp.
pub const SHARP_MIN: f64 = 3.0;
/// Probability at and above which the network's answer is a face. MediaPipe's own default is
/// 0.5; at 0.5 two faceless corpus photos (a bridge) got a false face (0.51, 0.53), and the
/// grainy 1927 group photo's faces score 0.53–0.9, so 0.55.
pub const MIN_SCORE: f32 = 0.55;
/// A face found with less than this probability gets a second look ([`second_look`]).
pub const SURE_SCORE: f32 = 0.8;
/// Probability the second look must give for an unsure face to be kept. Measured: real faces
/// of the grainy 1927 group photo 0.6–0.8, the one false face of the corpus (foliage) 0.06.
pub const SECOND_LOOK_MIN: f32 = 0.3;
/// Side of the second look's input, and how many times the face's box it shows.
const SECOND_LOOK_SIDE: usize = 96;
const SECOND_LOOK_CONTEXT: f32 = 3.0;
/// Most second looks per photo (a crowd): unsure faces beyond are kept as they are, since a
/// face wrongly reported costs less than a face missed.
pub const MAX_SECOND_LOOKS: usize = 40;
/// Boxes overlapping more than this (IoU) are one face (MediaPipe's value).
const SAME_FACE_IOU: f32 = 0.3;
/// Most faces reported.
pub const MAX_FACES: usize = 200;

/// A face, in pixels of the photo as displayed (orientation applied).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Face {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The detector's probability that this is a face, 0..1 (at least [`MIN_SCORE`]).
    pub score: f64,
    /// Large and sharp enough for a face-swap tool to reuse.
    pub reusable: bool,
}

/// An upright RGB copy of a photo.
pub struct Upright {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Upright {
    fn luma(&self, x: u32, y: u32) -> f64 {
        let at = (y as usize * self.width as usize + x as usize) * 3;
        match self.rgb.get(at..at + 3) {
            Some(&[r, g, b]) => 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b),
            _ => 0.0,
        }
    }

    /// The network's input for one pass: this copy scaled so its long side is `side` (area
    /// average), values -1..1, padded with zeros to multiples of 32 on the right and bottom.
    /// Returns the map and the scale (input pixels per copy pixel).
    fn model_input(&self, side: u32) -> (Map, f32) {
        let long = self.width.max(self.height).max(1);
        let scale = side as f32 / long as f32;
        let w = ((self.width as f32 * scale).round() as usize).max(1);
        let h = ((self.height as f32 * scale).round() as usize).max(1);
        let (pw, ph) = (
            w.div_ceil(SIDE_STEP) * SIDE_STEP,
            h.div_ceil(SIDE_STEP) * SIDE_STEP,
        );
        let mut map = Map::zeros(ph, pw, 3);
        let (sw, sh) = (self.width as usize, self.height as usize);
        for oy in 0..h {
            let y0 = oy * sh / h;
            let y1 = ((oy + 1) * sh / h).max(y0 + 1).min(sh);
            for ox in 0..w {
                let x0 = ox * sw / w;
                let x1 = ((ox + 1) * sw / w).max(x0 + 1).min(sw);
                let mut sum = [0u32; 3];
                for y in y0..y1 {
                    let row = self
                        .rgb
                        .get((y * sw + x0) * 3..(y * sw + x1) * 3)
                        .unwrap_or_default();
                    for px in row.chunks_exact(3) {
                        for (s, &v) in sum.iter_mut().zip(px) {
                            *s += u32::from(v);
                        }
                    }
                }
                let n = ((y1 - y0) * (x1 - x0)).max(1) as f32;
                let at = (oy * pw + ox) * 3;
                if let Some(dst) = map.data.get_mut(at..at + 3) {
                    for (d, s) in dst.iter_mut().zip(sum) {
                        *d = s as f32 / n / 127.5 - 1.0;
                    }
                }
            }
        }
        (map, scale)
    }
}

/// Finds faces in an upright copy, then scales boxes by `scale` (photo pixels per copy pixel)
/// and clips them to `photo` (width, height). Faces come largest first.
pub fn detect_in_upright(
    copy: &Upright,
    scale: f64,
    photo: (u32, u32),
    detail: Detail,
) -> Result<Vec<Face>, Error> {
    if copy.rgb.len() != (copy.width as usize) * (copy.height as usize) * 3 {
        return Err(Error::invalid(
            "the upright copy's size does not match its pixels",
        ));
    }
    let long = copy.width.max(copy.height);
    // Below this a photo holds no face worth warning about (and the network needs a few pixels).
    if copy.width.min(copy.height) < 16 {
        return Ok(Vec::new());
    }
    let network = blazeface::network()?;
    let mut candidates = Vec::new();
    let mut done = 0;
    let first = detail.passes().first().copied().unwrap_or(192);
    for &side in detail.passes() {
        // Not larger than the copy itself (the first pass may enlarge a small photo), and each
        // pass larger than the one before.
        let side = side.min(long.max(first));
        if side <= done {
            continue;
        }
        done = side;
        let (input, s) = copy.model_input(side);
        let answer = network.run(input)?;
        candidates.extend(answer.candidates(MIN_SCORE).into_iter().map(|c| Candidate {
            x: c.x / s,
            y: c.y / s,
            width: c.width / s,
            height: c.height / s,
            score: c.score,
        }));
    }
    let mut looks = 0;
    let mut sure = Vec::new();
    for c in blazeface::weighted_nms(candidates, SAME_FACE_IOU) {
        if c.score >= SURE_SCORE || looks >= MAX_SECOND_LOOKS {
            sure.push(c);
            continue;
        }
        looks += 1;
        if second_look(network, copy, &c)? >= SECOND_LOOK_MIN {
            sure.push(c);
        }
    }
    let mut faces: Vec<Face> = sure
        .into_iter()
        .take(MAX_FACES)
        .filter_map(|c| {
            let (x0, y0) = (f64::from(c.x).max(0.0), f64::from(c.y).max(0.0));
            let x1 = f64::from(c.x + c.width).min(f64::from(copy.width));
            let y1 = f64::from(c.y + c.height).min(f64::from(copy.height));
            if x1 <= x0 + 1.0 || y1 <= y0 + 1.0 {
                return None;
            }
            let sharp = sharpness(copy, x0 as u32, y0 as u32, x1 as u32, y1 as u32);
            let x = ((x0 * scale).round() as u32).min(photo.0.saturating_sub(1));
            let y = ((y0 * scale).round() as u32).min(photo.1.saturating_sub(1));
            let width = (((x1 - x0) * scale).round() as u32).clamp(1, photo.0 - x);
            let height = (((y1 - y0) * scale).round() as u32).clamp(1, photo.1 - y);
            Some(Face {
                x,
                y,
                width,
                height,
                score: (f64::from(c.score) * 100.0).round() / 100.0,
                reusable: width.min(height) >= REUSABLE_MIN_SIDE && sharp >= SHARP_MIN,
            })
        })
        .collect();
    faces.sort_by_key(|f| std::cmp::Reverse(u64::from(f.width) * u64::from(f.height)));
    Ok(faces)
}

/// The best face probability the network gives a closer view of an unsure face: a square
/// [`SECOND_LOOK_CONTEXT`] times its box, centred on it, at [`SECOND_LOOK_SIDE`] px (bilinear),
/// counting only answers near the middle (a neighbour's face in the view does not vouch for
/// this one). Seen this way a real face is found again; leaves or a pattern mostly are not.
fn second_look(network: &blazeface::Network, copy: &Upright, c: &Candidate) -> Result<f32, Error> {
    let n = SECOND_LOOK_SIDE;
    let side = c.width.max(c.height) * SECOND_LOOK_CONTEXT;
    let (left, top) = (
        c.x + c.width / 2.0 - side / 2.0,
        c.y + c.height / 2.0 - side / 2.0,
    );
    let step = side / n as f32;
    let (w, h) = (copy.width as usize, copy.height as usize);
    let at = |x: usize, y: usize, ch: usize| {
        f32::from(copy.rgb.get((y * w + x) * 3 + ch).copied().unwrap_or(0))
    };
    let mut input = Map::zeros(n, n, 3);
    for (i, px) in input.data.chunks_exact_mut(3).enumerate() {
        // Sample the copy at this pixel's centre; outside the photo stays 0 (mid grey).
        let fx = left + ((i % n) as f32 + 0.5) * step - 0.5;
        let fy = top + ((i / n) as f32 + 0.5) * step - 0.5;
        if fx < -0.5 || fy < -0.5 || fx > w as f32 - 0.5 || fy > h as f32 - 0.5 {
            continue;
        }
        let (x0, y0) = (fx.max(0.0).floor() as usize, fy.max(0.0).floor() as usize);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (dx, dy) = (
            (fx - x0 as f32).clamp(0.0, 1.0),
            (fy - y0 as f32).clamp(0.0, 1.0),
        );
        for (ch, v) in px.iter_mut().enumerate() {
            let top = at(x0, y0, ch) + (at(x1, y0, ch) - at(x0, y0, ch)) * dx;
            let bottom = at(x0, y1, ch) + (at(x1, y1, ch) - at(x0, y1, ch)) * dx;
            *v = (top + (bottom - top) * dy) / 127.5 - 1.0;
        }
    }
    let answer = network.run(input)?;
    let middle = (n / 4) as f32..(3 * n / 4) as f32;
    Ok(answer
        .candidates(0.01)
        .iter()
        .filter(|f| {
            middle.contains(&(f.x + f.width / 2.0)) && middle.contains(&(f.y + f.height / 2.0))
        })
        .map(|f| f.score)
        .fold(0.0, f32::max))
}

/// Mean absolute 4-neighbour Laplacian inside the box: low for a blurred or pixelated face.
fn sharpness(copy: &Upright, x0: u32, y0: u32, x1: u32, y1: u32) -> f64 {
    let at = |x: u32, y: u32| copy.luma(x, y);
    let (mut sum, mut n) = (0.0, 0u64);
    for y in (y0 + 1)..y1.saturating_sub(1) {
        for x in (x0 + 1)..x1.saturating_sub(1) {
            let lap = 4.0 * at(x, y) - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1);
            sum += lap.abs();
            n += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Faces in stored pixels (`channels` 1 to 4, row-major) shown with `orient`, looked for
/// with `detail`: boxes in the upright photo's pixels.
pub fn detect_in_pixels(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: usize,
    orient: Orient,
    detail: Detail,
) -> Result<Vec<Face>, Error> {
    let (copy, scale) = upright_copy(pixels, width, height, channels, orient, detail.side())?;
    detect_in_upright(&copy, scale, orient.upright_size(width, height), detail)
}

/// An upright RGB copy of stored pixels, scaled down (area average) so its long side is at most
/// `max_side`. `channels` is 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA), row-major.
/// Returns the copy and the scale (photo pixels per copy pixel).
pub fn upright_copy(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: usize,
    orient: Orient,
    max_side: u32,
) -> Result<(Upright, f64), Error> {
    let expected = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(channels));
    if !(1..=4).contains(&channels) || expected != Some(pixels.len()) || width == 0 || height == 0 {
        return Err(Error::invalid(
            "the pixels do not match the stated width, height and channels",
        ));
    }
    // Area average onto a grid whose long side is at most `max_side` (any ratio, not only
    // whole numbers, so a 1666 px photo is not halved to fit 1280).
    let long = width.max(height);
    let side = max_side.clamp(1, long);
    let (sw, sh) = (
        ((u64::from(width) * u64::from(side)).div_ceil(u64::from(long)) as u32).max(1),
        ((u64::from(height) * u64::from(side)).div_ceil(u64::from(long)) as u32).max(1),
    );
    // Sum each colour per small cell, in stored orientation.
    let cells = (sw * sh) as usize;
    let mut sums = vec![[0u32; 3]; cells];
    let mut counts = vec![0u32; cells];
    // Which cell column each pixel column falls in, worked out once (two divisions per pixel
    // were most of the time this took for a 12 MP photo).
    let column_cell: Vec<usize> = (0..u64::from(width))
        .map(|x| (x * u64::from(sw) / u64::from(width)) as usize)
        .collect();
    for (y, row) in pixels.chunks_exact(width as usize * channels).enumerate() {
        let cy = (y as u64 * u64::from(sh) / u64::from(height)) as usize;
        let first = cy * sw as usize;
        let (Some(row_sums), Some(row_counts)) = (
            sums.get_mut(first..first + sw as usize),
            counts.get_mut(first..first + sw as usize),
        ) else {
            continue;
        };
        for (px, &cx) in row.chunks_exact(channels).zip(&column_cell) {
            let rgb = match px {
                [g] | [g, _] => [*g; 3],
                [r, g, b] | [r, g, b, _] => [*r, *g, *b],
                _ => [0; 3],
            };
            if let (Some(s), Some(c)) = (row_sums.get_mut(cx), row_counts.get_mut(cx)) {
                for (acc, v) in s.iter_mut().zip(rgb) {
                    *acc += u32::from(v);
                }
                *c += 1;
            }
        }
    }
    let (uw, uh) = orient.upright_size(sw, sh);
    let mut out = vec![0u8; cells * 3];
    for y in 0..sh {
        for x in 0..sw {
            let cell = (y * sw + x) as usize;
            let (u, v) = orient.to_upright(x, y, sw, sh);
            let at = (v * uw + u) as usize * 3;
            if let (Some(s), Some(&c), Some(dst)) =
                (sums.get(cell), counts.get(cell), out.get_mut(at..at + 3))
            {
                for (d, &acc) in dst.iter_mut().zip(s) {
                    *d = (acc / c.max(1)) as u8;
                }
            }
        }
    }
    Ok((
        Upright {
            width: uw,
            height: uh,
            rgb: out,
        },
        f64::from(width) / f64::from(sw),
    ))
}
