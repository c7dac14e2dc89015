//! PDQ's downscaling: a Jarosz filter (two passes of a separable box filter, which together
//! approximate a tent) over the full-resolution luma, then decimation to 64×64.
//!
//! Bit-exactness hinges on doing the same float32 operations in the same order as the
//! reference: a running sum along each row or column, with the reference's four phases
//! (accumulate, grow, slide, shrink), adding the entering value before subtracting the leaving
//! one, and dividing by the current window length. The reference walks each column with a
//! stride through the whole image; here every column's running sum advances together, one row
//! at a time, and rows are processed eight at a time in interleaved lanes. Each sum still sees
//! exactly the same operations in the same order, so the result is identical while the memory
//! access is sequential and the independent sums can run side by side: as vector instructions
//! where the compiler vectorises (opt-level 2 or 3, wasm with simd128), as independent scalar
//! chains otherwise.
//!
//! Both passes work in place (plus a few rows of scratch), so hashing needs one float buffer
//! the size of the image, not two.

/// Output side of the decimated image.
pub(crate) const DOWNSAMPLED: usize = 64;

/// Box passes per direction. Two box filters make a tent filter.
const PASSES: usize = 2;

/// Rows filtered together in the row pass: eight independent running sums keep the CPU busy
/// (one sum alone is a chain of dependent additions) and fill a 256-bit vector.
const LANES: usize = 8;
type Lane = [f32; LANES];

/// Box window length for a side of `len` pixels: `ceil(len / 128)`, so that the two passes
/// together cover about `len / 64` pixels, one decimated cell.
pub(crate) fn window_size(len: usize) -> usize {
    len.div_ceil(2 * DOWNSAMPLED)
}

/// The reference's four-phase schedule for a running box sum over `len` values.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    /// Values summed before the first output (phase 1): `half - 1`.
    lead: usize,
    /// Outputs written while the window still grows (phase 2): `window - half + 1`.
    growing: usize,
    /// Outputs written with the full window (phase 3): `len - window`.
    sliding: usize,
}

impl Schedule {
    fn new(len: usize, window: usize) -> Self {
        let half = (window + 2) / 2;
        Schedule {
            lead: half - 1,
            growing: (window + 1).saturating_sub(half),
            sliding: len.saturating_sub(window),
        }
    }
}

/// Filters `data` (row-major, `cols` wide) with `PASSES` rounds of a box along the rows then a
/// box along the columns, in place. `data.len()` must be a multiple of `cols`.
pub(crate) fn jarosz_filter(data: &mut [f32], cols: usize) -> Result<(), crate::Error> {
    if cols == 0 || data.is_empty() {
        return Ok(());
    }
    let rows = data.len() / cols;
    let row_window = window_size(cols);
    let col_window = window_size(rows);
    let mut scratch = RowScratch::new(cols)?;
    let mut columns = ColumnScratch::new(cols, Schedule::new(rows, col_window).growing)?;
    for _ in 0..PASSES {
        box_along_rows(data, cols, row_window, &mut scratch);
        box_along_columns(data, cols, col_window, &mut columns);
    }
    Ok(())
}

/// Allocates `len` zeroed floats, reporting an allocation failure (likely in a browser tab)
/// as a limit rather than aborting.
pub(crate) fn zeroed(len: usize) -> Result<Vec<f32>, crate::Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        crate::Error::too_large("there is not enough memory to hash an image this large")
    })?;
    v.resize(len, 0.0);
    Ok(v)
}

/// Scratch for the row pass: eight rows interleaved, in and out.
struct RowScratch {
    input: Vec<Lane>,
    output: Vec<Lane>,
}

impl RowScratch {
    fn new(cols: usize) -> Result<Self, crate::Error> {
        let make = || {
            let mut v: Vec<Lane> = Vec::new();
            v.try_reserve_exact(cols)
                .map_err(|_| crate::Error::too_large("the image is too wide to hash"))?;
            v.resize(cols, [0.0; LANES]);
            Ok::<_, crate::Error>(v)
        };
        Ok(RowScratch {
            input: make()?,
            output: make()?,
        })
    }
}

/// Box filter along every row, in place: rows are copied eight at a time into interleaved
/// lanes, filtered together, and copied back. A last group of fewer than eight rows leaves
/// its unused lanes at zero; their results are discarded.
fn box_along_rows(data: &mut [f32], cols: usize, window: usize, scratch: &mut RowScratch) {
    let schedule = Schedule::new(cols, window);
    let mut groups = data.chunks_exact_mut(cols * LANES);
    for group in groups.by_ref() {
        let mut rows = group.chunks_exact_mut(cols);
        let (Some(r0), Some(r1), Some(r2), Some(r3), Some(r4), Some(r5), Some(r6), Some(r7)) = (
            rows.next(),
            rows.next(),
            rows.next(),
            rows.next(),
            rows.next(),
            rows.next(),
            rows.next(),
            rows.next(),
        ) else {
            continue;
        };
        // Zipped iterators rather than indices: no bounds checks, whole lanes stored at once.
        for (lane, (((((((a, b), c), d), e), f), g), h)) in scratch.input.iter_mut().zip(
            r0.iter()
                .zip(r1.iter())
                .zip(r2.iter())
                .zip(r3.iter())
                .zip(r4.iter())
                .zip(r5.iter())
                .zip(r6.iter())
                .zip(r7.iter()),
        ) {
            *lane = [*a, *b, *c, *d, *e, *f, *g, *h];
        }
        box_lanes(&scratch.input, &mut scratch.output, schedule);
        for (lane, (((((((a, b), c), d), e), f), g), h)) in scratch.output.iter().zip(
            r0.iter_mut()
                .zip(r1.iter_mut())
                .zip(r2.iter_mut())
                .zip(r3.iter_mut())
                .zip(r4.iter_mut())
                .zip(r5.iter_mut())
                .zip(r6.iter_mut())
                .zip(r7.iter_mut()),
        ) {
            [*a, *b, *c, *d, *e, *f, *g, *h] = *lane;
        }
    }

    // The last rows (fewer than eight): unused lanes stay zero and their results are dropped.
    let tail = groups.into_remainder();
    if tail.is_empty() {
        return;
    }
    for lane in scratch.input.iter_mut() {
        *lane = [0.0; LANES];
    }
    for (l, row) in tail.chunks_exact(cols).enumerate() {
        for (lane, &v) in scratch.input.iter_mut().zip(row) {
            if let Some(slot) = lane.get_mut(l) {
                *slot = v;
            }
        }
    }
    box_lanes(&scratch.input, &mut scratch.output, schedule);
    for (l, row) in tail.chunks_exact_mut(cols).enumerate() {
        for (v, lane) in row.iter_mut().zip(&scratch.output) {
            if let Some(&x) = lane.get(l) {
                *v = x;
            }
        }
    }
}

/// The reference's running box sum, on eight independent sequences at once.
fn box_lanes(input: &[Lane], output: &mut [Lane], schedule: Schedule) {
    let mut sum: Lane = [0.0; LANES];
    let mut count = 0u32;
    let mut entering = input.iter();
    let mut leaving = input.iter();
    let mut out = output.iter_mut();

    // Phase 1: sum the first values without writing.
    for v in entering.by_ref().take(schedule.lead) {
        add(&mut sum, v);
        count += 1;
    }
    // Phase 2: the window grows to its full length, one output per new value.
    for (v, o) in entering.by_ref().zip(out.by_ref()).take(schedule.growing) {
        add(&mut sum, v);
        count += 1;
        divide(&sum, count, o);
    }
    // Phase 3: full window; add the entering value, then subtract the leaving one.
    for ((v, gone), o) in entering
        .zip(leaving.by_ref())
        .zip(out.by_ref())
        .take(schedule.sliding)
    {
        add(&mut sum, v);
        subtract(&mut sum, gone);
        divide(&sum, count, o);
    }
    // Phase 4: the window shrinks at the far edge, one output per value leaving.
    for (gone, o) in leaving.zip(out) {
        subtract(&mut sum, gone);
        count = count.saturating_sub(1);
        divide(&sum, count, o);
    }
}

#[inline(always)]
fn add(sum: &mut Lane, v: &Lane) {
    for (s, x) in sum.iter_mut().zip(v) {
        *s += x;
    }
}

#[inline(always)]
fn subtract(sum: &mut Lane, v: &Lane) {
    for (s, x) in sum.iter_mut().zip(v) {
        *s -= x;
    }
}

/// `sum / count` in float32, as the reference divides a float by its int window length.
#[inline(always)]
fn divide(sum: &Lane, count: u32, out: &mut Lane) {
    let n = count as f32;
    for (o, s) in out.iter_mut().zip(sum) {
        *o = s / n;
    }
}

/// Scratch for the column pass: one running sum per column, and a ring of the original rows
/// that an in-place pass has already overwritten but still has to subtract later.
struct ColumnScratch {
    sums: Vec<f32>,
    ring: Vec<f32>,
    ring_rows: usize,
}

impl ColumnScratch {
    fn new(cols: usize, ring_rows: usize) -> Result<Self, crate::Error> {
        let ring_rows = ring_rows.max(1);
        Ok(ColumnScratch {
            sums: zeroed(cols)?,
            ring: zeroed(cols.saturating_mul(ring_rows))?,
            ring_rows,
        })
    }
}

/// Box filter along every column, in place, walking the image one row at a time.
///
/// Output row `o` is written once row `o + lead` has been added, and the original row `o` is
/// subtracted later, at output `o + growing`. So before overwriting row `o` its original is kept
/// in ring slot `o % growing`, which that later subtraction reads just before the slot is
/// reused.
fn box_along_columns(data: &mut [f32], cols: usize, window: usize, scratch: &mut ColumnScratch) {
    let rows = data.len() / cols;
    let schedule = Schedule::new(rows, window);
    let ring_rows = schedule.growing.max(1);
    if ring_rows != scratch.ring_rows {
        // jarosz_filter sizes the ring for this image; a mismatch would be a bug, not input.
        debug_assert_eq!(ring_rows, scratch.ring_rows);
        return;
    }
    let ColumnScratch { sums, ring, .. } = scratch;
    sums.fill(0.0);

    for r in 0..schedule.lead {
        if let Some(row) = row_at(data, cols, r) {
            for (s, v) in sums.iter_mut().zip(row) {
                *s += v;
            }
        }
    }
    let mut count = schedule.lead as u32;
    for o in 0..rows {
        let entering = o + schedule.lead;
        let slot = (o % ring_rows) * cols;
        let Some(ring_row) = ring.get_mut(slot..slot + cols) else {
            return;
        };
        if o < schedule.growing {
            if let Some(row) = row_at(data, cols, entering) {
                for (s, v) in sums.iter_mut().zip(row) {
                    *s += v;
                }
            }
            count += 1;
        } else if o < schedule.growing + schedule.sliding {
            // The slot still holds original row `o - growing`, the one leaving the window.
            if let Some(row) = row_at(data, cols, entering) {
                for ((s, v), gone) in sums.iter_mut().zip(row).zip(ring_row.iter()) {
                    *s += v;
                    *s -= gone;
                }
            }
        } else {
            for (s, gone) in sums.iter_mut().zip(ring_row.iter()) {
                *s -= gone;
            }
            count = count.saturating_sub(1);
        }
        let Some(row) = data.get_mut(o * cols..(o + 1) * cols) else {
            return;
        };
        ring_row.copy_from_slice(row);
        let n = count as f32;
        for (out, s) in row.iter_mut().zip(sums.iter()) {
            *out = s / n;
        }
    }
}

/// Row `r` of a `cols`-wide image, if it exists.
fn row_at(data: &[f32], cols: usize, r: usize) -> Option<&[f32]> {
    data.get(r.checked_mul(cols)?..r.checked_add(1)?.checked_mul(cols)?)
}

/// Samples the filtered image at the centres of a 64×64 grid of cells: the cell for output
/// index `i` of `len` pixels is `floor((i + 0.5) · len / 64)`, computed in double as the
/// reference does.
pub(crate) fn decimate(data: &[f32], rows: usize, cols: usize) -> [[f32; 64]; 64] {
    let centre = |i: usize, len: usize| (((i as f64 + 0.5) * len as f64) / 64.0) as usize;
    let mut out = [[0.0f32; 64]; 64];
    for (i, out_row) in out.iter_mut().enumerate() {
        let r = centre(i, rows);
        for (j, v) in out_row.iter_mut().enumerate() {
            let c = centre(j, cols);
            *v = data.get(r * cols + c).copied().unwrap_or(0.0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's 1-D box filter transcribed from its description: strided, out of place,
    /// one value at a time. The fast passes above must agree with it bit for bit.
    fn box_1d_plain(
        input: &[f32],
        output: &mut [f32],
        start: usize,
        len: usize,
        stride: usize,
        window: usize,
    ) {
        let half = (window + 2) / 2;
        let (p1, p2, p3, p4) = (half - 1, window - half + 1, len - window, half - 1);
        let (mut li, mut ri, mut oi) = (start, start, start);
        let mut sum = 0.0f32;
        let mut count = 0i32;
        let at = |v: &[f32], i: usize| v.get(i).copied().unwrap_or(f32::NAN);
        for _ in 0..p1 {
            sum += at(input, ri);
            count += 1;
            ri += stride;
        }
        for _ in 0..p2 {
            sum += at(input, ri);
            count += 1;
            if let Some(o) = output.get_mut(oi) {
                *o = sum / count as f32;
            }
            ri += stride;
            oi += stride;
        }
        for _ in 0..p3 {
            sum += at(input, ri);
            sum -= at(input, li);
            if let Some(o) = output.get_mut(oi) {
                *o = sum / count as f32;
            }
            li += stride;
            ri += stride;
            oi += stride;
        }
        for _ in 0..p4 {
            sum -= at(input, li);
            count -= 1;
            if let Some(o) = output.get_mut(oi) {
                *o = sum / count as f32;
            }
            li += stride;
            oi += stride;
        }
    }

    fn jarosz_plain(data: &mut [f32], rows: usize, cols: usize) {
        let mut other = vec![0.0f32; data.len()];
        for _ in 0..PASSES {
            for r in 0..rows {
                box_1d_plain(data, &mut other, r * cols, cols, 1, window_size(cols));
            }
            for c in 0..cols {
                box_1d_plain(&other, data, c, rows, cols, window_size(rows));
            }
        }
    }

    fn pseudo_random_image(rows: usize, cols: usize, seed: u64) -> Vec<f32> {
        let mut state = seed | 1;
        (0..rows * cols)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Luma-like values with fractional parts, so rounding order matters.
                (state % 25_500) as f32 * 0.01 + 0.299 * (state % 7) as f32
            })
            .collect()
    }

    #[test]
    fn fast_passes_equal_the_plain_filter_bit_for_bit() {
        // Sizes around the window steps (128, 256...) and odd group remainders (rows % 8).
        let sizes = [
            (5, 5),
            (7, 9),
            (64, 64),
            (100, 129),
            (129, 100),
            (257, 131),
            (300, 385),
            (17, 1000),
        ];
        for (i, &(rows, cols)) in sizes.iter().enumerate() {
            let original = pseudo_random_image(rows, cols, i as u64 + 7);
            let mut plain = original.clone();
            jarosz_plain(&mut plain, rows, cols);
            let mut fast = original.clone();
            assert!(jarosz_filter(&mut fast, cols).is_ok());
            let same = plain
                .iter()
                .zip(&fast)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(
                same,
                "{rows}x{cols}: the fast filter differs from the plain one"
            );
        }
    }

    #[test]
    fn window_is_ceil_of_len_over_128() {
        assert_eq!(window_size(5), 1);
        assert_eq!(window_size(128), 1);
        assert_eq!(window_size(129), 2);
        assert_eq!(window_size(1600), 13);
        assert_eq!(window_size(4000), 32);
    }

    #[test]
    fn decimation_samples_cell_centres() {
        let rows = 128;
        let cols = 200;
        let data: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
        let out = decimate(&data, rows, cols);
        // Row 0 samples input row floor(0.5 * 128 / 64) = 1, column floor(0.5 * 200 / 64) = 1.
        assert_eq!(out[0][0], (cols + 1) as f32);
        // Last cell: row floor(63.5 * 2) = 127, column floor(63.5 * 200 / 64) = 198.
        assert_eq!(out[63][63], (127 * cols + 198) as f32);
    }
}
