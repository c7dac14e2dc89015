//! The few neural-network layers the face detector needs, on feature maps kept channels-last in
//! `f32`, the layout TensorFlow Lite uses (so converted weights are read as they are).
//!
//! Every function checks that its operands fit and returns an error otherwise: the network
//! description is compiled in, but a wrong one must fail the look at faces, not the engine.

use crate::Error;

fn bad(what: &str) -> Error {
    Error::malformed(format!("the face model does not fit: {what}"))
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
    let cin = x.c;
    if kernel.len() != k * k * cin * cout || bias.len() != cout {
        return Err(bad("a convolution's kernel does not fit its input"));
    }
    if k == 1 && stride == 1 {
        return Ok(pointwise(x, cout, kernel, bias));
    }
    let (oh, pt) = geometry(x.h, k, stride, pad)?;
    let (ow, pl) = geometry(x.w, k, stride, pad)?;
    let mut out = Map::zeros(oh, ow, cout);
    for (i, o) in out.data.chunks_exact_mut(cout).enumerate() {
        let (oy, ox) = (i / ow, i % ow);
        o.copy_from_slice(bias);
        for ky in 0..k {
            let Some(iy) = (oy * stride + ky).checked_sub(pt).filter(|&y| y < x.h) else {
                continue;
            };
            for kx in 0..k {
                let Some(ix) = (ox * stride + kx).checked_sub(pl).filter(|&v| v < x.w) else {
                    continue;
                };
                let wbase = (ky * k + kx) * cin * cout;
                let taps = kernel.get(wbase..wbase + cin * cout).unwrap_or_default();
                for (&v, row) in x.pixel(iy, ix).iter().zip(taps.chunks_exact(cout)) {
                    for (acc, &wv) in o.iter_mut().zip(row) {
                        *acc += v * wv;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A 1×1 convolution: each pixel's channels times a [cin][cout] matrix. Most of the detector's
/// arithmetic is here, so it is blocked for registers: [`PIXELS`] pixels × `L` output channels
/// are summed in a fixed-size array the compiler keeps in vector registers (SSE2 / wasm simd128),
/// each weight row read once for the block.
fn pointwise(x: &Map, cout: usize, kernel: &[f32], bias: &[f32]) -> Map {
    let mut out = Map::zeros(x.h, x.w, cout);
    let mut co = 0;
    while co + 8 <= cout {
        pointwise_lanes::<8>(x, cout, co, kernel, bias, &mut out.data);
        co += 8;
    }
    while co + 4 <= cout {
        pointwise_lanes::<4>(x, cout, co, kernel, bias, &mut out.data);
        co += 4;
    }
    while co < cout {
        pointwise_lanes::<1>(x, cout, co, kernel, bias, &mut out.data);
        co += 1;
    }
    out
}

/// Pixels summed together in [`pointwise`].
const PIXELS: usize = 4;

/// Output channels `co..co + L` of a 1×1 convolution, for every pixel.
fn pointwise_lanes<const L: usize>(
    x: &Map,
    cout: usize,
    co: usize,
    kernel: &[f32],
    bias: &[f32],
    out: &mut [f32],
) {
    let cin = x.c;
    let lanes = |row: &[f32]| -> [f32; L] {
        let mut v = [0.0; L];
        if let Some(src) = row.get(co..co + L) {
            v.copy_from_slice(src);
        }
        v
    };
    let start = lanes(bias);
    let weights: Vec<[f32; L]> = kernel.chunks_exact(cout).take(cin).map(lanes).collect();
    let mut pixels = x.data.chunks_exact(cin * PIXELS);
    let mut outs = out.chunks_exact_mut(cout * PIXELS);
    for (block, dst) in pixels.by_ref().zip(outs.by_ref()) {
        let mut acc = [start; PIXELS];
        for (ci, w) in weights.iter().enumerate() {
            for (p, a) in acc.iter_mut().enumerate() {
                let v = block.get(p * cin + ci).copied().unwrap_or(0.0);
                for (s, &wv) in a.iter_mut().zip(w) {
                    *s += v * wv;
                }
            }
        }
        for (p, a) in acc.iter().enumerate() {
            if let Some(d) = dst.get_mut(p * cout + co..p * cout + co + L) {
                d.copy_from_slice(a);
            }
        }
    }
    // The last pixels, fewer than a block.
    for (px, dst) in pixels
        .remainder()
        .chunks_exact(cin)
        .zip(outs.into_remainder().chunks_exact_mut(cout))
    {
        let mut acc = start;
        for (&v, w) in px.iter().zip(&weights) {
            for (s, &wv) in acc.iter_mut().zip(w) {
                *s += v * wv;
            }
        }
        if let Some(d) = dst.get_mut(co..co + L) {
            d.copy_from_slice(&acc);
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
    let c = x.c;
    if kernel.len() != k * k * c || bias.len() != c {
        return Err(bad("a depthwise kernel does not fit its input"));
    }
    let (oh, pt) = geometry(x.h, k, stride, pad)?;
    let (ow, pl) = geometry(x.w, k, stride, pad)?;
    let mut out = Map::zeros(oh, ow, c);
    let taps: Vec<&[f32]> = kernel.chunks_exact(c).collect();
    // Output columns whose input column `ox * stride + kx - pl` lies inside the input.
    let columns = |kx: usize| {
        let first = pl.saturating_sub(kx).div_ceil(stride);
        let end = (x.w + pl).saturating_sub(kx).div_ceil(stride).min(ow);
        (first, end.max(first))
    };
    for (oy, row) in out.data.chunks_exact_mut(ow * c).enumerate() {
        for o in row.chunks_exact_mut(c) {
            o.copy_from_slice(bias);
        }
        for ky in 0..k {
            let Some(iy) = (oy * stride + ky).checked_sub(pt).filter(|&y| y < x.h) else {
                continue;
            };
            let input = x
                .data
                .get(iy * x.w * c..(iy + 1) * x.w * c)
                .unwrap_or_default();
            for kx in 0..k {
                let Some(&w) = taps.get(ky * k + kx) else {
                    continue;
                };
                // One tap over a whole row: output pixel `ox` reads input pixel
                // `ox * stride + kx - pl`, so both walk the row in step.
                let (first, end) = columns(kx);
                let ix = (first * stride + kx).saturating_sub(pl);
                let dst = row.get_mut(first * c..end * c).unwrap_or_default();
                let src = input.get(ix * c..).unwrap_or_default();
                for (o, px) in dst.chunks_exact_mut(c).zip(src.chunks(stride * c)) {
                    for ((acc, &v), &wv) in o.iter_mut().zip(px).zip(w) {
                        *acc += v * wv;
                    }
                }
            }
        }
    }
    Ok(out)
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
    for (i, o) in out.data.chunks_exact_mut(x.c).enumerate() {
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
    for (o, px) in out.data.chunks_exact_mut(c).zip(x.data.chunks_exact(x.c)) {
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
    for (i, o) in out.data.chunks_exact_mut(x.c).enumerate() {
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

    /// A convolution written the slow, obvious way, with explicit zero padding.
    fn reference_conv(x: &Map, k: usize, s: usize, cout: usize, w: &[f32], b: &[f32]) -> Map {
        let (oh, pt) = same(x.h, k, s);
        let (ow, pl) = same(x.w, k, s);
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
    fn convolutions_match_the_obvious_loop_with_same_padding() {
        for (h, w, k, s) in [(8, 6, 3, 2), (7, 9, 3, 1), (6, 6, 1, 1), (9, 7, 5, 2)] {
            let x = map(h, w, 3, |i| ((i * 37 % 11) as f32 - 5.0) / 4.0);
            let kernel: Vec<f32> = (0..k * k * 3 * 4)
                .map(|i| ((i * 13 % 7) as f32 - 3.0) / 5.0)
                .collect();
            let bias = [0.5, -0.25, 0.0, 1.0];
            let got = conv(&x, k, s, true, 4, &kernel, &bias).unwrap();
            let want = reference_conv(&x, k, s, 4, &kernel, &bias);
            assert_eq!((got.h, got.w), (want.h, want.w));
            for (a, b) in got.data.iter().zip(&want.data) {
                assert!((a - b).abs() < 1e-4, "{a} {b}");
            }
            // A depthwise convolution is the same with a diagonal kernel.
            let dk: Vec<f32> = (0..k * k * 3)
                .map(|i| ((i * 5 % 9) as f32 - 4.0) / 3.0)
                .collect();
            let mut full = vec![0.0; k * k * 3 * 3];
            for t in 0..k * k {
                for c in 0..3 {
                    full[(t * 3 + c) * 3 + c] = dk[t * 3 + c];
                }
            }
            let got = depthwise(&x, k, s, true, &dk, &bias[..3]).unwrap();
            let want = reference_conv(&x, k, s, 3, &full, &bias[..3]);
            for (a, b) in got.data.iter().zip(&want.data) {
                assert!((a - b).abs() < 1e-4, "{a} {b}");
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
    }
}
