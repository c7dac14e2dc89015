//! Bounds-checked reads of fixed-size integers from untrusted bytes, shared by the container
//! walkers and the metadata readers: `None` when the bytes end first, never a panic.

/// `a == b`, a block at a time without early exit, so that it vectorises. Slice equality is a
/// call to `memcmp`, which in wasm is a byte-at-a-time loop: the strips' check that the image
/// data came through unchanged (5 MB for a 12 MP JPEG) took most of their time there.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.chunks(4096)
            .zip(b.chunks(4096))
            .all(|(x, y)| x.iter().zip(y).fold(0u8, |diff, (p, q)| diff | (p ^ q)) == 0)
}

/// Two lists of byte strings are the same, piece for piece (see [`same_bytes`]).
pub(crate) fn same_pieces(a: &[&[u8]], b: &[&[u8]]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_bytes(x, y))
}

/// `N` bytes starting at `at`, if they are all there.
pub(crate) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

pub(crate) fn be_u16(bytes: &[u8], at: usize) -> Option<u16> {
    array(bytes, at).map(u16::from_be_bytes)
}

pub(crate) fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_be_bytes)
}

pub(crate) fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    array(bytes, at).map(u64::from_be_bytes)
}

pub(crate) fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_le_bytes)
}

/// A 16-bit integer in the byte order a TIFF header chose (`big`: "MM").
pub(crate) fn u16_in(bytes: &[u8], at: usize, big: bool) -> Option<u16> {
    array(bytes, at).map(if big {
        u16::from_be_bytes
    } else {
        u16::from_le_bytes
    })
}

/// A 32-bit integer in the byte order a TIFF header chose (`big`: "MM").
pub(crate) fn u32_in(bytes: &[u8], at: usize, big: bool) -> Option<u32> {
    array(bytes, at).map(if big {
        u32::from_be_bytes
    } else {
        u32::from_le_bytes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_both_orders_and_stops_at_the_end() {
        let b = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0];
        assert_eq!(be_u16(&b, 0), Some(0x1234));
        assert_eq!(be_u32(&b, 4), Some(0x9ABC_DEF0));
        assert_eq!(le_u32(&b, 0), Some(0x7856_3412));
        assert_eq!(be_u64(&b, 0), Some(0x1234_5678_9ABC_DEF0));
        assert_eq!(u16_in(&b, 1, false), Some(0x5634));
        assert_eq!(u32_in(&b, 1, true), Some(0x3456_789A));
        assert_eq!(be_u32(&b, 5), None);
        assert_eq!(be_u16(&b, usize::MAX), None);
        assert_eq!(be_u64(&b, 1), None);
    }

    #[test]
    fn same_bytes_finds_one_changed_byte_anywhere() {
        let a: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        assert!(same_bytes(&a, &a.clone()));
        assert!(same_bytes(&[], &[]));
        for at in [0, 1, 4095, 4096, 4097, 9_999] {
            let mut b = a.clone();
            if let Some(v) = b.get_mut(at) {
                *v ^= 0x80;
            }
            assert!(!same_bytes(&a, &b), "changed at {at}");
        }
        assert!(!same_bytes(&a, a.get(..9_999).unwrap_or_default()));
        assert!(!same_bytes(a.get(..4096).unwrap_or_default(), &a));
        let (head, tail) = a.split_at(4096);
        assert!(same_pieces(&[head, tail], &[head, tail]));
        assert!(!same_pieces(&[head, tail], &[head]), "a piece missing");
        assert!(
            !same_pieces(&[head, tail], &[tail, head]),
            "pieces in another order"
        );
    }
}
