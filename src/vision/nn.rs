//! The few neural-network layers the face detector and the nudity classifier need, on feature
//! maps kept channels-last in `f32`, the layout TensorFlow Lite and TensorFlow.js use (so
//! converted weights are read as they are).
//!
//! Every function checks that its operands fit and returns an error otherwise (or, for the
//! infallible ones, reads only what is there): the network descriptions are compiled in, but a
//! wrong one must fail the look at the photo, not the engine.

use crate::Error;

fn bad(what: &str) -> Error {
    Error::malformed(format!("a vision model does not fit: {what}"))
}

/// A map a convolution can read: no side of zero, and exactly `h × w × c` values (the fields
/// are public, so a map may say otherwise).
fn usable(x: &Map) -> Result<(), Error> {
    let len = x.h.checked_mul(x.w).and_then(|n| n.checked_mul(x.c));
    if x.h == 0 || x.w == 0 || x.c == 0 || len != Some(x.data.len()) {
        return Err(bad("a feature map is empty or not the size it says"));
    }
    Ok(())
}

/// A feature map, height × width × channels, channels last.
#[derive(Clone, Debug)]
pub struct Map {
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub data: Vec<f32>,
}

impl Map {
    /// A map of zeros.
    pub fn zeros(h: usize, w: usize, c: usize) -> Map {
        Map {
            h,
            w,
            c,
            data: vec![0.0; h * w * c],
        }
    }

    fn pixel(&self, y: usize, x: usize) -> &[f32] {
        let at = (y * self.w + x) * self.c;
        self.data.get(at..at + self.c).unwrap_or_default()
    }
}

/// TensorFlow's "same" padding: output side `ceil(in / stride)`, and the padding before
/// (top or left) is the smaller half of what is needed.
fn same(input: usize, k: usize, stride: usize) -> (usize, usize) {
    let out = input.div_ceil(stride);
    let total = ((out.saturating_sub(1)) * stride + k).saturating_sub(input);
    (out, total / 2)
}

/// Output side and padding before, for "same" (`pad` true) or "valid" padding.
fn geometry(input: usize, k: usize, stride: usize, pad: bool) -> Result<(usize, usize), Error> {
    if stride == 0 || k == 0 {
        return Err(bad("a kernel or stride of zero"));
    }
    if pad {
        Ok(same(input, k, stride))
    } else if input >= k {
        Ok(((input - k) / stride + 1, 0))
    } else {
        Err(bad("a kernel larger than its input"))
    }
}

/// A convolution with a `k`×`k` kernel laid out [ky][kx][cin][cout], then `bias`.
pub fn conv(
    x: &Map,
    k: usize,
    stride: usize,
    pad: bool,
    cout: usize,
    kernel: &[f32],
    bias: &[f32],
) -> Result<Map, Error> {
    usable(x)?;
    let cin = x.c;
    if kernel.len() != k * k * cin * cout || bias.len() != cout {
        return Err(bad("a convolution's kernel does not fit its input"));
    }
    if k == 1 && stride == 1 {
        return Ok(pointwise(x, cout, kernel, bias));
    }
    let (oh, pt) = geometry(x.h, k, stride, pad)?;
    let (ow, pl) = geometry(x.w, k, stride, pad)?;
    // Each output pixel's k×k×cin input values side by side ("im2col", zeros where the window
    // leaves the input), in the kernel's own [ky][kx][cin] order: the convolution is then a 1×1
    // convolution of that map, which runs at the blocked kernel's speed. The detector's first
    // layer (cin 3) took 10 ms of 70 at 640 px the direct way, register-starved by cin = 3.
    let taps = k * k * cin;
    let mut cols = Map::zeros(oh, ow, taps);
    for (i, col) in cols.data.chunks_exact_mut(taps).enumerate() {
        let (oy, ox) = (i / ow, i % ow);
        for ky in 0..k {
            let Some(iy) = (oy * stride + ky).checked_sub(pt).filter(|&y| y < x.h) else {
                continue;
            };
            for kx in 0..k {
                let Some(ix) = (ox * stride + kx).checked_sub(pl).filter(|&v| v < x.w) else {
                    continue;
                };
                let at = (ky * k + kx) * cin;
                if let Some(dst) = col.get_mut(at..at + cin) {
                    dst.copy_from_slice(x.pixel(iy, ix));
                }
            }
        }
    }
    Ok(pointwise(&cols, cout, kernel, bias))
}

/// A 1×1 convolution: each pixel's channels times a [cin][cout] matrix. Most of the detector's
/// arithmetic is here, so it is blocked for registers and cache: 4 pixels × `L` output channels
/// are summed in fixed-size arrays the compiler keeps in vector registers (SSE2 / wasm simd128),
/// and the pixels are taken a tile at a time, every output channel of a tile before the next, so
/// the tile's input is read from the nearest cache. (Output channels first, over the whole map,
/// re-read maps of several megabytes from memory for every block of 8 channels.)
fn pointwise(x: &Map, cout: usize, kernel: &[f32], bias: &[f32]) -> Map {
    let cin = x.c;
    let mut out = Map::zeros(x.h, x.w, cout);
    if cin == 0 || cout == 0 {
        for o in out.data.chunks_exact_mut(cout.max(1)) {
            o.copy_from_slice(bias.get(..o.len()).unwrap_or_default());
        }
        return out;
    }
    let eights = Lanes::<8>::new(kernel, bias, cin, cout, 0, cout / 8);
    let fours = Lanes::<4>::new(kernel, bias, cin, cout, eights.end(), (cout % 8) / 4);
    let ones = Lanes::<1>::new(kernel, bias, cin, cout, fours.end(), cout % 4);
    // About 32 KB of input per tile (between 16 and 256 pixels).
    let tile = (8192 / cin).clamp(16, 256);
    for (src, dst) in x
        .data
        .chunks(tile * cin)
        .zip(out.data.chunks_mut(tile * cout))
    {
        eights.apply(src, cin, cout, dst);
        fours.apply(src, cin, cout, dst);
        ones.apply(src, cin, cout, dst);
    }
    out
}

/// Consecutive blocks of `L` output channels of a 1×1 convolution, from channel `first`: each
/// block's weights regrouped as `cin` rows of `L`, and its biases.
struct Lanes<const L: usize> {
    first: usize,
    weights: Vec<[f32; L]>,
    starts: Vec<[f32; L]>,
}

impl<const L: usize> Lanes<L> {
    fn new(kernel: &[f32], bias: &[f32], cin: usize, cout: usize, first: usize, n: usize) -> Self {
        let lanes = |row: &[f32], at: usize| -> [f32; L] {
            let mut v = [0.0; L];
            if let Some(src) = row.get(at..at + L) {
                v.copy_from_slice(src);
            }
            v
        };
        let mut weights = Vec::with_capacity(n * cin);
        let mut starts = Vec::with_capacity(n);
        for b in 0..n {
            let co = first + b * L;
            weights.extend(
                kernel
                    .chunks_exact(cout)
                    .take(cin)
                    .map(|row| lanes(row, co)),
            );
            starts.push(lanes(bias, co));
        }
        Lanes {
            first,
            weights,
            starts,
        }
    }

    /// The channel after the last block.
    fn end(&self) -> usize {
        self.first + self.starts.len() * L
    }

    /// Every block's channels for the pixels of `src` (whole pixels of `cin`), into `dst`.
    // The indices below are constants under 4 and lanes under L, the arrays' own lengths: they
    // cannot fail, and written as indices the compiler keeps the 4 × L sums in registers (as
    // iterators over each pixel's sums, the detector took a third longer in wasm).
    #[allow(clippy::indexing_slicing)]
    fn apply(&self, src: &[f32], cin: usize, cout: usize, dst: &mut [f32]) {
        for (b, (w, &start)) in self.weights.chunks_exact(cin).zip(&self.starts).enumerate() {
            let co = self.first + b * L;
            let mut pixels = src.chunks_exact(cin * 4);
            let mut outs = dst.chunks_exact_mut(cout * 4);
            for (block, out) in pixels.by_ref().zip(outs.by_ref()) {
                let (r0, rest) = block.split_at(cin);
                let (r1, rest) = rest.split_at(cin);
                let (r2, r3) = rest.split_at(cin);
                let mut acc = [start; 4];
                for ((((wv, &a), &b), &c), &d) in w.iter().zip(r0).zip(r1).zip(r2).zip(r3) {
                    for l in 0..L {
                        acc[0][l] += a * wv[l];
                        acc[1][l] += b * wv[l];
                        acc[2][l] += c * wv[l];
                        acc[3][l] += d * wv[l];
                    }
                }
                for (p, a) in acc.iter().enumerate() {
                    if let Some(d) = out.get_mut(p * cout + co..p * cout + co + L) {
                        d.copy_from_slice(a);
                    }
                }
            }
            // The last pixels, fewer than four.
            for (px, out) in pixels
                .remainder()
                .chunks_exact(cin)
                .zip(outs.into_remainder().chunks_exact_mut(cout))
            {
                let mut acc = start;
                for (&v, wv) in px.iter().zip(w) {
                    scaled_add(&mut acc, v, wv);
                }
                if let Some(d) = out.get_mut(co..co + L) {
                    d.copy_from_slice(&acc);
                }
            }
        }
    }
}

/// A depthwise convolution (one `k`×`k` filter per channel, laid out [ky][kx][c]), then `bias`.
pub fn depthwise(
    x: &Map,
    k: usize,
    stride: usize,
    pad: bool,
    kernel: &[f32],
    bias: &[f32],
) -> Result<Map, Error> {
    usable(x)?;
    let c = x.c;
    if kernel.len() != k * k * c || bias.len() != c {
        return Err(bad("a depthwise kernel does not fit its input"));
    }
    let (oh, pt) = geometry(x.h, k, stride, pad)?;
    let (ow, pl) = geometry(x.w, k, stride, pad)?;
    let mut out = Map::zeros(oh, ow, c);
    // A 3×3, stride 1 layer takes blocks of 4 lanes even where 8 would divide the channels, so
    // that four pixels' sums, a row's six inputs and three taps all fit in the 16 vector
    // registers (see `quad3`).
    let quads = k == 3 && stride == 1;
    if c.is_multiple_of(8) && !quads {
        depthwise_lanes::<8>(x, k, stride, (pt, pl), kernel, bias, &mut out);
    } else if c.is_multiple_of(4) {
        depthwise_lanes::<4>(x, k, stride, (pt, pl), kernel, bias, &mut out);
    } else {
        depthwise_lanes::<1>(x, k, stride, (pt, pl), kernel, bias, &mut out);
    }
    Ok(out)
}

/// The input rows (or columns) a window starting at `start` (may be before the input) reads,
/// as the range of kernel taps that land inside an input of `len`.
fn window(start: isize, k: usize, len: usize) -> std::ops::Range<usize> {
    let first = usize::try_from(-start).unwrap_or(0).min(k);
    let end = usize::try_from(len as isize - start).unwrap_or(0).min(k);
    first..end.max(first)
}

/// `acc += v × w`, lane by lane (one vector multiply and add per 4 lanes).
#[inline(always)]
fn scaled_add<const L: usize>(acc: &mut [f32; L], v: f32, w: &[f32; L]) {
    for (s, &wv) in acc.iter_mut().zip(w) {
        *s += v * wv;
    }
}

/// [`depthwise`] in blocks of `L` channels (`L` divides the channel count): for each output
/// pixel and block, the k×k taps are summed in a fixed-size array the compiler keeps in vector
/// registers, and the pixel is written once. (Adding one tap at a time over a whole row read and
/// wrote every output value k×k times.) A 3×3, stride 1 layer takes four pixels at a time where
/// their windows lie inside the input ([`Taps::quad3`]).
fn depthwise_lanes<const L: usize>(
    x: &Map,
    k: usize,
    stride: usize,
    (pt, pl): (usize, usize),
    kernel: &[f32],
    bias: &[f32],
    out: &mut Map,
) {
    let blocks = x.c / L;
    let ow = out.w;
    // The maps and the kernel seen as blocks of L channels (L divides the channel count, so a
    // pixel is exactly `blocks` of them): one bounds check a block, and loops on fixed-size
    // arrays. (Slices checked and converted for each block made the detector a quarter slower
    // in wasm.)
    let taps = Taps {
        input: x.data.as_chunks::<L>().0,
        kernel: kernel.as_chunks::<L>().0,
        bias: bias.as_chunks::<L>().0,
        blocks,
        h: x.h,
        w: x.w,
        k,
    };
    let quads = k == 3 && stride == 1;
    let (outs, _) = out.data.as_chunks_mut::<L>();
    for (oy, row) in outs.chunks_exact_mut(ow * blocks).enumerate() {
        let y0 = (oy * stride) as isize - pt as isize;
        let mut ox = 0;
        while ox < ow {
            let x0 = (ox * stride) as isize - pl as isize;
            // Four pixels whose 3-wide windows (six input columns) lie inside the input.
            let inside = usize::try_from(x0).ok().filter(|&x0| x0 + 6 <= x.w);
            if let (true, Some(x0), Some(o)) = (
                quads && ox + 4 <= ow,
                inside,
                row.get_mut(ox * blocks..(ox + 4) * blocks),
            ) {
                taps.quad3(y0, x0, o);
                ox += 4;
            } else {
                if let Some(o) = row.get_mut(ox * blocks..(ox + 1) * blocks) {
                    taps.pixel(y0, x0, o);
                }
                ox += 1;
            }
        }
    }
}

/// A depthwise layer's input, kernel and bias in blocks of `L` channels.
struct Taps<'a, const L: usize> {
    input: &'a [[f32; L]],
    kernel: &'a [[f32; L]],
    bias: &'a [[f32; L]],
    /// Blocks per pixel.
    blocks: usize,
    h: usize,
    w: usize,
    k: usize,
}

impl<const L: usize> Taps<'_, L> {
    /// One output pixel whose window starts at input row `y0`, column `x0` (either may lie
    /// before the input: taps outside it read zeros).
    fn pixel(&self, y0: isize, x0: isize, o: &mut [[f32; L]]) {
        let (k, blocks) = (self.k, self.blocks);
        let rows = window(y0, k, self.h);
        let cols = window(x0, k, self.w);
        for ((b, dst), &first) in o.iter_mut().enumerate().zip(self.bias) {
            let mut acc = first;
            for ky in rows.clone() {
                let iy = (y0 + ky as isize) as usize;
                for kx in cols.clone() {
                    let ix = (x0 + kx as isize) as usize;
                    let (Some(v), Some(w)) = (
                        self.input.get((iy * self.w + ix) * blocks + b),
                        self.kernel.get((ky * k + kx) * blocks + b),
                    ) else {
                        continue;
                    };
                    for ((s, &a), &b) in acc.iter_mut().zip(v).zip(w) {
                        *s += a * b;
                    }
                }
            }
            *dst = acc;
        }
    }

    /// Four consecutive output pixels of a 3×3, stride 1 layer whose windows read input columns
    /// `x0..x0 + 6` (all inside the input). Each input row's six blocks and three taps are read
    /// once for the four pixels: 9 reads for 12 multiply-adds, where one pixel at a time makes 2
    /// reads for each.
    // The indices are constants below the fixed arrays' lengths (4, 6 and 3): they cannot fail.
    #[allow(clippy::indexing_slicing)]
    fn quad3(&self, y0: isize, x0: usize, o: &mut [[f32; L]]) {
        let blocks = self.blocks;
        let rows = window(y0, 3, self.h);
        let zero = [0.0; L];
        for (b, &first) in self.bias.iter().enumerate() {
            let mut acc = [first; 4];
            for ky in rows.clone() {
                let iy = (y0 + ky as isize) as usize;
                let at = (iy * self.w + x0) * blocks + b;
                let v: [[f32; L]; 6] =
                    std::array::from_fn(|j| *self.input.get(at + j * blocks).unwrap_or(&zero));
                let w: [[f32; L]; 3] = std::array::from_fn(|kx| {
                    *self.kernel.get((ky * 3 + kx) * blocks + b).unwrap_or(&zero)
                });
                for p in 0..4 {
                    for kx in 0..3 {
                        for l in 0..L {
                            acc[p][l] += v[p + kx][l] * w[kx][l];
                        }
                    }
                }
            }
            for (p, a) in acc.into_iter().enumerate() {
                if let Some(dst) = o.get_mut(p * blocks + b) {
                    *dst = a;
                }
            }
        }
    }
}

/// `max(0, v)` in place. Written as a comparison: `f32::max` is a call to `fmaxf` per value
/// in wasm (its NaN rule differs from wasm's own `f32.max`), which made this the slowest layer.
pub fn relu(x: &mut Map) {
    x.data
        .iter_mut()
        .for_each(|v| *v = if *v > 0.0 { *v } else { 0.0 });
}

/// Adds `b` into `a` (maps of the same shape).
pub fn add_into(a: &mut Map, b: &Map) -> Result<(), Error> {
    if (a.h, a.w, a.c) != (b.h, b.w, b.c) {
        return Err(bad("added maps differ in shape"));
    }
    a.data.iter_mut().zip(&b.data).for_each(|(p, q)| *p += q);
    Ok(())
}

/// 2×2 max pooling, stride 2 ("same": an odd last row or column is pooled alone).
pub fn max_pool2(x: &Map) -> Map {
    let (oh, ow) = (x.h.div_ceil(2), x.w.div_ceil(2));
    let mut out = Map::zeros(oh, ow, x.c);
    for (i, o) in out.data.chunks_exact_mut(x.c.max(1)).enumerate() {
        let (oy, ox) = (i / ow, i % ow);
        o.fill(f32::NEG_INFINITY);
        for y in (oy * 2)..(oy * 2 + 2).min(x.h) {
            for xx in (ox * 2)..(ox * 2 + 2).min(x.w) {
                for (acc, &v) in o.iter_mut().zip(x.pixel(y, xx)) {
                    // A comparison, not `f32::max` (see `relu`).
                    *acc = if v > *acc { v } else { *acc };
                }
            }
        }
    }
    out
}

/// The same map with `extra` zero channels after its own (a residual shortcut into a wider
/// block).
pub fn pad_channels(x: &Map, extra: usize) -> Map {
    let c = x.c + extra;
    let mut out = Map::zeros(x.h, x.w, c);
    for (o, px) in out
        .data
        .chunks_exact_mut(c.max(1))
        .zip(x.data.chunks_exact(x.c.max(1)))
    {
        if let Some(head) = o.get_mut(..x.c) {
            head.copy_from_slice(px);
        }
    }
    out
}

/// Bilinear resize to twice the size with half-pixel centres (TensorFlow's `ResizeBilinear`
/// with `half_pixel_centers`, no corner alignment).
pub fn upsample2(x: &Map) -> Map {
    let (oh, ow) = (x.h * 2, x.w * 2);
    // Source position of output index i: (i + 0.5) / 2 - 0.5, clamped below at 0.
    let taps = |i: usize, n: usize| {
        let f = (i as f32 + 0.5) / 2.0 - 0.5;
        let lo = f.floor();
        let frac = f - lo;
        let lo_i = (lo.max(0.0) as usize).min(n.saturating_sub(1));
        let hi_i = (f.ceil().max(0.0) as usize).min(n.saturating_sub(1));
        (lo_i, hi_i, frac)
    };
    let mut out = Map::zeros(oh, ow, x.c);
    for (i, o) in out.data.chunks_exact_mut(x.c.max(1)).enumerate() {
        let (oy, ox) = (i / ow, i % ow);
        let (y0, y1, fy) = taps(oy, x.h);
        let (x0, x1, fx) = taps(ox, x.w);
        let (a, b, c, d) = (
            x.pixel(y0, x0),
            x.pixel(y0, x1),
            x.pixel(y1, x0),
            x.pixel(y1, x1),
        );
        for (j, acc) in o.iter_mut().enumerate() {
            let at = |p: &[f32]| p.get(j).copied().unwrap_or(0.0);
            let top = at(a) + (at(b) - at(a)) * fx;
            let bottom = at(c) + (at(d) - at(c)) * fx;
            *acc = top + (bottom - top) * fy;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn map(h: usize, w: usize, c: usize, f: impl Fn(usize) -> f32) -> Map {
        Map {
            h,
            w,
            c,
            data: (0..h * w * c).map(f).collect(),
        }
    }

    /// A convolution written the slow, obvious way, with explicit zero padding ("same") or none
    /// ("valid").
    fn reference_conv(
        x: &Map,
        (k, s, pad): (usize, usize, bool),
        cout: usize,
        w: &[f32],
        b: &[f32],
    ) -> Map {
        let valid = |n: usize| ((n - k) / s + 1, 0);
        let (oh, pt) = if pad { same(x.h, k, s) } else { valid(x.h) };
        let (ow, pl) = if pad { same(x.w, k, s) } else { valid(x.w) };
        let mut out = Map::zeros(oh, ow, cout);
        for oy in 0..oh {
            for ox in 0..ow {
                for co in 0..cout {
                    let mut acc = b[co];
                    for ky in 0..k {
                        for kx in 0..k {
                            let (iy, ix) = (
                                (oy * s + ky) as isize - pt as isize,
                                (ox * s + kx) as isize - pl as isize,
                            );
                            if iy < 0 || ix < 0 || iy >= x.h as isize || ix >= x.w as isize {
                                continue;
                            }
                            for ci in 0..x.c {
                                acc += x.data[((iy as usize) * x.w + ix as usize) * x.c + ci]
                                    * w[((ky * k + kx) * x.c + ci) * cout + co];
                            }
                        }
                    }
                    out.data[(oy * ow + ox) * cout + co] = acc;
                }
            }
        }
        out
    }

    #[test]
    fn convolutions_match_the_obvious_loop_with_same_and_valid_padding() {
        // Channel counts that take every path: blocks of 8, of 4 and single channels, and tiles
        // of pixels that do not divide the map (cin 40: 204 pixels a tile; 17×13 = 221 pixels);
        // depthwise 3×3 layers wide enough for four pixels at a time, with borders beside them.
        let shapes = [
            (8, 6, 3, 2, 3, 4),
            (7, 9, 3, 1, 3, 4),
            (6, 6, 1, 1, 3, 4),
            (9, 7, 5, 2, 3, 4),
            (7, 5, 3, 1, 8, 13),
            (6, 9, 3, 2, 12, 8),
            (5, 5, 1, 1, 5, 12),
            (17, 13, 1, 1, 40, 29),
            (17, 13, 3, 1, 16, 1),
            (9, 11, 3, 1, 12, 5),
            (9, 10, 3, 2, 16, 8),
        ];
        // Each shape with "same" padding and with none ("valid", as the nudity model pads its
        // own stride-2 layers beforehand).
        for ((h, w, k, s, cin, cout), pad) in shapes
            .into_iter()
            .flat_map(|shape| [(shape, true), (shape, false)])
        {
            let x = map(h, w, cin, |i| ((i * 37 % 11) as f32 - 5.0) / 4.0);
            let kernel: Vec<f32> = (0..k * k * cin * cout)
                .map(|i| ((i * 13 % 7) as f32 - 3.0) / 5.0)
                .collect();
            let bias: Vec<f32> = (0..cout).map(|i| (i % 5) as f32 / 4.0 - 0.5).collect();
            let got = conv(&x, k, s, pad, cout, &kernel, &bias).unwrap();
            let want = reference_conv(&x, (k, s, pad), cout, &kernel, &bias);
            assert_eq!((got.h, got.w, got.c), (want.h, want.w, want.c));
            for (a, b) in got.data.iter().zip(&want.data) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "{a} {b} ({h}×{w}, k{k}, {cin}→{cout})"
                );
            }
            // A depthwise convolution is the same with a diagonal kernel.
            let c = cin;
            let dk: Vec<f32> = (0..k * k * c)
                .map(|i| ((i * 5 % 9) as f32 - 4.0) / 3.0)
                .collect();
            let db: Vec<f32> = (0..c).map(|i| (i % 3) as f32 - 1.0).collect();
            let mut full = vec![0.0; k * k * c * c];
            for t in 0..k * k {
                for ch in 0..c {
                    full[(t * c + ch) * c + ch] = dk[t * c + ch];
                }
            }
            let got = depthwise(&x, k, s, pad, &dk, &db).unwrap();
            let want = reference_conv(&x, (k, s, pad), c, &full, &db);
            assert_eq!((got.h, got.w, got.c), (want.h, want.w, want.c));
            for (a, b) in got.data.iter().zip(&want.data) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "{a} {b} (depthwise {h}×{w}, k{k}, c{c})"
                );
            }
        }
    }

    #[test]
    fn upsampling_keeps_a_ramp_a_ramp_and_edges_flat() {
        // A ramp 0, 4, 8 along x doubles to 0, 1, 3, 5, 7, 8 (half-pixel centres, edges clamped).
        let x = map(1, 3, 1, |i| i as f32 * 4.0);
        let up = upsample2(&x);
        assert_eq!((up.h, up.w), (2, 6));
        assert_eq!(&up.data[..6], &[0.0, 1.0, 3.0, 5.0, 7.0, 8.0]);
        assert_eq!(&up.data[6..], &up.data[..6]);
    }

    #[test]
    fn pooling_padding_and_adding() {
        let x = map(3, 3, 1, |i| i as f32);
        let p = max_pool2(&x);
        assert_eq!(p.data, vec![4.0, 5.0, 7.0, 8.0]);
        let wide = pad_channels(&p, 2);
        assert_eq!(wide.c, 3);
        assert_eq!(&wide.data[..6], &[4.0, 0.0, 0.0, 5.0, 0.0, 0.0]);
        let mut sum = p.clone();
        assert!(add_into(&mut sum, &wide).is_err());
        add_into(&mut sum, &p).unwrap();
        assert_eq!(sum.data, vec![8.0, 10.0, 14.0, 16.0]);
        assert!(conv(&x, 3, 1, false, 1, &[0.0; 8], &[0.0]).is_err());
        assert!(conv(&map(2, 2, 1, |_| 0.0), 3, 1, false, 1, &[0.0; 9], &[0.0]).is_err());
        // Maps that are empty or not the size they say are errors, not panics.
        let no_channels = map(3, 3, 0, |_| 0.0);
        assert!(conv(&no_channels, 3, 1, true, 2, &[], &[0.0; 2]).is_err());
        assert!(depthwise(&no_channels, 3, 1, true, &[], &[]).is_err());
        let no_columns = map(3, 0, 4, |_| 0.0);
        assert!(depthwise(&no_columns, 3, 1, true, &[0.0; 36], &[0.0; 4]).is_err());
        let mut short = map(4, 4, 4, |_| 1.0);
        short.data.truncate(10);
        assert!(conv(&short, 3, 2, true, 1, &[0.0; 36], &[0.0]).is_err());
        assert!(depthwise(&short, 3, 1, true, &[0.0; 36], &[0.0; 4]).is_err());
        assert_eq!(max_pool2(&no_channels).data.len(), 0);
        assert_eq!(pad_channels(&no_channels, 0).data.len(), 0);
        assert_eq!(upsample2(&no_channels).data.len(), 0);
    }
}
