//! PDQ's frequency step: the 16×16 lowest non-constant DCT-II coefficients of the 64×64 image.
//!
//! `B = D · A · Dᵀ`, where `D` holds DCT-II basis rows 1..=16 of length 64 (row 0, the constant
//! term, says nothing about the picture's structure and is skipped). Sums run in float32 in
//! increasing `k`, starting from zero, as in the reference; the loops are arranged so that the
//! independent sums (across `j`) sit in the inner loop and vectorise, while each sum still
//! adds its terms in the same order.

use std::sync::OnceLock;

use super::jarosz::DOWNSAMPLED;

/// Side of the coefficient block.
pub(crate) const SIDE: usize = 16;

struct Matrices {
    /// `D[i][j] = sqrt(2/64) · cos(π/128 · (i+1) · (2j+1))`.
    d: [[f32; DOWNSAMPLED]; SIDE],
    /// `Dᵀ`, so the second product reads rows.
    dt: [[f32; SIDE]; DOWNSAMPLED],
}

/// The reference computes the scale in double, stores it as float, then multiplies it by the
/// double cosine and stores the product as float; this does the same, so the table matches to
/// the bit (the argument is also multiplied left to right, as written there).
fn matrices() -> &'static Matrices {
    static MATRICES: OnceLock<Matrices> = OnceLock::new();
    MATRICES.get_or_init(|| {
        let scale = f64::from((2.0f64 / DOWNSAMPLED as f64).sqrt() as f32);
        let step = std::f64::consts::PI / 2.0 / DOWNSAMPLED as f64;
        let d: [[f32; DOWNSAMPLED]; SIDE] = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let angle = step * (i + 1) as f64 * (2 * j + 1) as f64;
                (scale * angle.cos()) as f32
            })
        });
        let dt = std::array::from_fn(|k| {
            std::array::from_fn(|i| d.get(i).and_then(|row| row.get(k)).copied().unwrap_or(0.0))
        });
        Matrices { d, dt }
    })
}

/// The 16×16 coefficients of a 64×64 image.
pub(crate) fn dct_64_to_16(a: &[[f32; DOWNSAMPLED]; DOWNSAMPLED]) -> [[f32; SIDE]; SIDE] {
    let m = matrices();
    // T = D · A: T[i][j] = Σ_k D[i][k] · A[k][j].
    let mut t = [[0.0f32; DOWNSAMPLED]; SIDE];
    for (t_row, d_row) in t.iter_mut().zip(&m.d) {
        for (&d_ik, a_row) in d_row.iter().zip(a) {
            for (t_ij, &a_kj) in t_row.iter_mut().zip(a_row) {
                *t_ij += d_ik * a_kj;
            }
        }
    }
    // B = T · Dᵀ: B[i][j] = Σ_k T[i][k] · D[j][k].
    let mut b = [[0.0f32; SIDE]; SIDE];
    for (b_row, t_row) in b.iter_mut().zip(&t) {
        for (&t_ik, dt_row) in t_row.iter().zip(&m.dt) {
            for (b_ij, &d_jk) in b_row.iter_mut().zip(dt_row) {
                *b_ij += t_ik * d_jk;
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_rows_are_orthonormal() {
        let m = matrices();
        for (i, a) in m.d.iter().enumerate() {
            for (j, b) in m.d.iter().enumerate() {
                let dot: f64 = a
                    .iter()
                    .zip(b)
                    .map(|(x, y)| f64::from(*x) * f64::from(*y))
                    .sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-5, "rows {i},{j}: {dot}");
            }
        }
    }

    #[test]
    fn a_constant_image_has_no_coefficients() {
        // Every basis row beyond the constant one sums to zero.
        let b = dct_64_to_16(&[[100.0; DOWNSAMPLED]; DOWNSAMPLED]);
        assert!(b.iter().flatten().all(|v| v.abs() < 1e-3));
    }

    #[test]
    fn a_separable_basis_image_lands_in_one_coefficient() {
        // A = (row 2 of D)ᵀ · (row 5 of D): the rows of D are orthonormal, so B = e₂ · e₅ᵀ.
        let m = matrices();
        let (down, across) = (m.d[2], m.d[5]);
        let a: [[f32; DOWNSAMPLED]; DOWNSAMPLED] = down.map(|y| across.map(|x| y * x));
        let b = dct_64_to_16(&a);
        for (i, row) in b.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let want = if (i, j) == (2, 5) { 1.0 } else { 0.0 };
                assert!((v - want).abs() < 1e-4, "B[{i}][{j}] = {v}");
            }
        }
    }
}
