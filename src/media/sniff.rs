//! Recognises image containers by their first bytes.
//!
//! Only JPEG is read in this version, but naming what a file *is* lets the error message tell
//! the person "this is a PNG" instead of a vague "unsupported".

/// A container recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Container {
    Jpeg,
    Png,
    Gif,
    WebP,
    Heif,
    Avif,
    Tiff,
    Bmp,
    JpegXl,
    /// Nothing we recognise (or an empty input).
    Unknown,
}

impl Container {
    /// The name people know the format by, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Container::Jpeg => "JPEG",
            Container::Png => "PNG",
            Container::Gif => "GIF",
            Container::WebP => "WebP",
            Container::Heif => "HEIC/HEIF",
            Container::Avif => "AVIF",
            Container::Tiff => "TIFF",
            Container::Bmp => "BMP",
            Container::JpegXl => "JPEG XL",
            Container::Unknown => "unknown",
        }
    }
}

/// Guesses the container from the first bytes. A JPEG needs only its two-byte start-of-image
/// marker here; the walker reports anything wrong after it with a precise offset.
pub fn sniff(bytes: &[u8]) -> Container {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8]) {
        Container::Jpeg
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Container::Png
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Container::Gif
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Container::WebP
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Container::Tiff
    } else if starts(b"BM") && bytes.len() >= 14 {
        Container::Bmp
    } else if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        Container::JpegXl
    } else if bytes.get(4..8) == Some(b"ftyp") {
        iso_brand(bytes)
    } else {
        Container::Unknown
    }
}

/// HEIF and AVIF share the ISO base media file format; the major brand tells them apart.
fn iso_brand(bytes: &[u8]) -> Container {
    match bytes.get(8..12) {
        Some(b"avif") | Some(b"avis") => Container::Avif,
        Some(b"heic") | Some(b"heix") | Some(b"heim") | Some(b"heis") | Some(b"hevc")
        | Some(b"hevx") | Some(b"mif1") | Some(b"msf1") => Container::Heif,
        _ => Container::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_containers() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Container::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Container::Png);
        assert_eq!(sniff(b"GIF89a..."), Container::Gif);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Container::WebP);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Container::Heif);
        assert_eq!(sniff(b"\0\0\0\x18ftypavif\0\0\0\0"), Container::Avif);
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Container::Tiff);
        assert_eq!(sniff(b""), Container::Unknown);
        assert_eq!(sniff(b"hello"), Container::Unknown);
    }
}
