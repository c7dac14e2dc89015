//! The median that PDQ thresholds against, chosen exactly as the reference chooses it.
//!
//! The reference uses Torben's selection algorithm, which returns the lower of the two middle
//! values for an even count (the 128th smallest of 256). Which of the two middles is used
//! decides the bits of coefficients that sit between them, so "a median" is not enough: it has
//! to be this one.

/// The lower median of `values` (the `(n + 1) / 2`-th smallest), by Torben's method: repeatedly
/// guess the midpoint of the remaining value range and count values below, above and equal,
/// narrowing to the side that holds the median. No copy, no sort, `values` is not reordered.
///
/// The answer is always one of the input values. An empty slice gives 0.
pub(crate) fn torben_median(values: &[f32]) -> f32 {
    let Some((&first, rest)) = values.split_first() else {
        return 0.0;
    };
    let (mut low, mut high) = rest.iter().fold((first, first), |(lo, hi), &v| {
        (if v < lo { v } else { lo }, if v > hi { v } else { hi })
    });
    let half = values.len().div_ceil(2);

    // Each round leaves strictly fewer distinct candidates, so finite input ends within
    // `values.len() + 1` rounds; the bound only guards against NaN, which PDQ never produces.
    let mut guess = low;
    for _ in 0..=values.len() {
        guess = (low + high) / 2.0;
        let (mut less, mut greater, mut equal) = (0usize, 0usize, 0usize);
        let mut max_below = low;
        let mut min_above = high;
        for &v in values {
            if v < guess {
                less += 1;
                if v > max_below {
                    max_below = v;
                }
            } else if v > guess {
                greater += 1;
                if v < min_above {
                    min_above = v;
                }
            } else {
                equal += 1;
            }
        }
        if less <= half && greater <= half {
            return if less >= half {
                max_below
            } else if less + equal >= half {
                guess
            } else {
                min_above
            };
        }
        if less > greater {
            high = max_below;
        } else {
            low = min_above;
        }
    }
    guess
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower_median_by_sorting(values: &[f32]) -> f32 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f32::total_cmp);
        sorted
            .get(values.len().div_ceil(2).saturating_sub(1))
            .copied()
            .unwrap_or(0.0)
    }

    #[test]
    fn even_count_gives_the_lower_middle() {
        assert_eq!(torben_median(&[4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(torben_median(&[1.0, 2.0]), 1.0);
    }

    #[test]
    fn odd_count_gives_the_middle() {
        assert_eq!(torben_median(&[5.0, -1.0, 3.0]), 3.0);
        assert_eq!(torben_median(&[7.0]), 7.0);
    }

    #[test]
    fn ties_and_constant_input() {
        assert_eq!(torben_median(&[2.0; 256]), 2.0);
        assert_eq!(torben_median(&[1.0, 1.0, 1.0, 5.0, 5.0, 5.0]), 1.0);
        assert_eq!(torben_median(&[]), 0.0);
    }

    #[test]
    fn agrees_with_sorting_on_pseudo_random_values() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..200 {
            let n = 1 + round % 300;
            let values: Vec<f32> = (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Few distinct values in some rounds, to exercise ties.
                    let v = (state >> 40) as f32 / 1024.0 - 8000.0;
                    if round % 3 == 0 {
                        v.round() % 5.0
                    } else {
                        v
                    }
                })
                .collect();
            assert_eq!(
                torben_median(&values),
                lower_median_by_sorting(&values),
                "round {round}"
            );
        }
    }
}
