//! The eight rotations and flips of an image, taken in the DCT domain.
//!
//! Rotating or flipping the 64×64 image only permutes and negates its DCT coefficients: a flip
//! reverses a basis cosine, which negates the odd-frequency ones (the even ones are
//! symmetric), and a quarter turn swaps the two axes. So the hashes of all eight variants come
//! from one DCT. They are close to, not always equal to, the hash of the image actually rotated,
//! because the downscaling grid does not rotate with the picture; the reference says the same.
//!
//! Index `i` of the coefficient block is frequency `i + 1` (the constant term is not kept), so
//! "odd index" means "even frequency".

use super::dct::SIDE;

/// One of the eight symmetries of the square, in the reference's order and with its names.
///
/// Each names the image the hash stands for: [`Dihedral::Rotate90`]'s hash is (close to) the
/// hash of the image turned a quarter anticlockwise. Directions are the reference's, checked
/// against its own test images (`bridge-2-rotate-90` is `bridge-1` turned anticlockwise) and
/// against the `image` crate's rotations in `tests/pdq_properties.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dihedral {
    /// As given.
    Original,
    /// Turned a quarter anticlockwise.
    Rotate90,
    /// Turned upside down (half a turn).
    Rotate180,
    /// Turned a quarter clockwise.
    Rotate270,
    /// Flipped top to bottom (rows in reverse order).
    FlipX,
    /// Mirrored left to right (columns in reverse order).
    FlipY,
    /// Mirrored across the main diagonal (transposed: rows become columns).
    FlipPlus1,
    /// Mirrored across the other diagonal.
    FlipMinus1,
}

impl Dihedral {
    /// All eight, in the order of [`crate::PdqResult::dihedral`] and of the reference's output.
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The reference's short name: `orig`, `rot90`, `rot180`, `rot270`, `flipx`, `flipy`,
    /// `flipplus1`, `flipminus1`.
    pub fn name(self) -> &'static str {
        match self {
            Dihedral::Original => "orig",
            Dihedral::Rotate90 => "rot90",
            Dihedral::Rotate180 => "rot180",
            Dihedral::Rotate270 => "rot270",
            Dihedral::FlipX => "flipx",
            Dihedral::FlipY => "flipy",
            Dihedral::FlipPlus1 => "flipplus1",
            Dihedral::FlipMinus1 => "flipminus1",
        }
    }

    /// Whether the variant swaps the two axes (the quarter turns and the diagonal flips).
    fn transposes(self) -> bool {
        matches!(
            self,
            Dihedral::Rotate90 | Dihedral::Rotate270 | Dihedral::FlipPlus1 | Dihedral::FlipMinus1
        )
    }

    /// Whether source coefficient `A[i][j]` changes sign.
    fn negates(self, i: usize, j: usize) -> bool {
        let even = |n: usize| n.is_multiple_of(2);
        match self {
            Dihedral::Original | Dihedral::FlipPlus1 => false,
            Dihedral::Rotate90 | Dihedral::FlipY => even(j),
            Dihedral::Rotate270 | Dihedral::FlipX => even(i),
            Dihedral::Rotate180 | Dihedral::FlipMinus1 => !even(i + j),
        }
    }

    /// The coefficient block of this variant of the image whose block is `a`:
    /// `B[i][j] = ±A[i][j]`, or `B[j][i] = ±A[i][j]` when the variant transposes.
    pub(crate) fn apply(self, a: &[[f32; SIDE]; SIDE]) -> [[f32; SIDE]; SIDE] {
        let mut b = [[0.0f32; SIDE]; SIDE];
        for (i, a_row) in a.iter().enumerate() {
            for (j, &v) in a_row.iter().enumerate() {
                let v = if self.negates(i, j) { -v } else { v };
                let (r, c) = if self.transposes() { (j, i) } else { (i, j) };
                if let Some(slot) = b.get_mut(r).and_then(|row| row.get_mut(c)) {
                    *slot = v;
                }
            }
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Block = [[f32; SIDE]; SIDE];
    /// Reads back `A[i][j]` from a variant's block, by the reference's rule for that variant.
    type Recover = fn(&Block, usize, usize) -> f32;

    fn sample() -> [[f32; SIDE]; SIDE] {
        std::array::from_fn(|i| std::array::from_fn(|j| (i * SIDE + j + 1) as f32))
    }

    fn at(m: &[[f32; SIDE]; SIDE], i: usize, j: usize) -> f32 {
        m.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f32::NAN)
    }

    #[test]
    fn rules_match_the_reference_description() {
        let a = sample();
        let cases: [(Dihedral, Recover); 7] = [
            // rot90: B[j][i] = (j odd ? A[i][j] : -A[i][j])
            (Dihedral::Rotate90, |b, i, j| {
                at(b, j, i) * if j % 2 == 1 { 1.0 } else { -1.0 }
            }),
            // rot180: B[i][j] = ((i+j) odd ? -A : A)
            (Dihedral::Rotate180, |b, i, j| {
                at(b, i, j) * if (i + j) % 2 == 1 { -1.0 } else { 1.0 }
            }),
            // rot270: B[j][i] = (i odd ? A : -A)
            (Dihedral::Rotate270, |b, i, j| {
                at(b, j, i) * if i % 2 == 1 { 1.0 } else { -1.0 }
            }),
            // flipX: B[i][j] = (i odd ? A : -A)
            (Dihedral::FlipX, |b, i, j| {
                at(b, i, j) * if i % 2 == 1 { 1.0 } else { -1.0 }
            }),
            // flipY: B[i][j] = (j odd ? A : -A)
            (Dihedral::FlipY, |b, i, j| {
                at(b, i, j) * if j % 2 == 1 { 1.0 } else { -1.0 }
            }),
            // flip+1: B[j][i] = A[i][j]
            (Dihedral::FlipPlus1, |b, i, j| at(b, j, i)),
            // flip-1: B[j][i] = ((i+j) odd ? -A : A)
            (Dihedral::FlipMinus1, |b, i, j| {
                at(b, j, i) * if (i + j) % 2 == 1 { -1.0 } else { 1.0 }
            }),
        ];
        for (variant, recover) in cases {
            let b = variant.apply(&a);
            for i in 0..SIDE {
                for j in 0..SIDE {
                    assert_eq!(recover(&b, i, j), at(&a, i, j), "{variant:?} at {i},{j}");
                }
            }
        }
        assert_eq!(Dihedral::Original.apply(&a), a);
    }
}
