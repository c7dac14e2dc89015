//! A minimal APP1 Exif segment that carries only the Orientation tag.
//!
//! Phones store portrait photos sideways and set EXIF Orientation; dropping it would show the
//! cleaned photo rotated. So the cleaner writes this tiny segment back: one IFD, one entry,
//! nothing that identifies anyone.

/// Total segment size: marker (2) + length (2) + "Exif\0\0" (6) + TIFF (26).
pub const ORIENTATION_APP1_LEN: usize = 36;

/// Where the TIFF structure starts inside the segment (after marker, length and "Exif\0\0").
const TIFF_START: usize = 10;
/// Size of the TIFF structure alone.
pub const ORIENTATION_TIFF_LEN: usize = ORIENTATION_APP1_LEN - TIFF_START;

/// TIFF tag number of Orientation.
const ORIENTATION_TAG: u16 = 0x0112;
/// TIFF type SHORT.
const TYPE_SHORT: u16 = 3;

/// Builds the segment, big-endian ("MM"):
/// header (8) | entry count (2) | one 12-byte entry | next-IFD offset 0 (4).
pub fn orientation_app1(orientation: u16) -> [u8; ORIENTATION_APP1_LEN] {
    let mut out = [0u8; ORIENTATION_APP1_LEN];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if let Some(slot) = out.get_mut(at) {
                *slot = b;
            }
            at += 1;
        }
    };
    // The length field counts itself and the payload, not the marker.
    let length = (ORIENTATION_APP1_LEN - 2) as u16;
    put(&[0xFF, 0xE1]);
    put(&length.to_be_bytes());
    put(b"Exif\0\0");
    put(b"MM\0\x2a"); // byte order + the TIFF magic 42
    put(&8u32.to_be_bytes()); // IFD0 right after the header
    put(&1u16.to_be_bytes()); // one entry
    put(&ORIENTATION_TAG.to_be_bytes());
    put(&TYPE_SHORT.to_be_bytes());
    put(&1u32.to_be_bytes()); // count
    put(&orientation.to_be_bytes()); // a SHORT sits left-justified in the 4-byte value field
    put(&[0, 0]);
    put(&0u32.to_be_bytes()); // no IFD1, so no thumbnail
    out
}

/// The same minimal TIFF structure without the JPEG wrapping, as a PNG eXIf chunk holds it.
pub fn orientation_tiff(orientation: u16) -> [u8; ORIENTATION_TIFF_LEN] {
    let segment = orientation_app1(orientation);
    let mut out = [0u8; ORIENTATION_TIFF_LEN];
    for (slot, b) in out.iter_mut().zip(segment.iter().skip(TIFF_START)) {
        *slot = *b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kamadak_reads_it_back() {
        let segment = orientation_app1(6);
        let tiff = segment.get(10..).unwrap_or_default().to_vec();
        assert_eq!(tiff, orientation_tiff(6));
        let exif = exif::Reader::new().read_raw(tiff);
        let exif = match exif {
            Ok(e) => e,
            Err(e) => unreachable!("minimal EXIF must parse: {e}"),
        };
        assert_eq!(exif.fields().count(), 1);
        let field = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY);
        assert_eq!(field.and_then(|f| f.value.get_uint(0)), Some(6));
    }
}
