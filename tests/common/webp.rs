//! WebP fixtures: image-webp's lossless encoder for the bitstream, chunks assembled here with
//! known metadata, and an independent RIFF walker to inspect results.

use std::ops::Range;

use super::{camera_exif, fake_icc_profile, gradient_jpeg, XMP_PACKET};

/// VP8X flag bits.
pub const WEBP_ICC: u8 = 0x20;
pub const WEBP_ALPHA: u8 = 0x10;
pub const WEBP_EXIF: u8 = 0x08;
pub const WEBP_XMP: u8 = 0x04;
pub const WEBP_ANIMATION: u8 = 0x02;

/// A simple-format lossless WebP ("RIFF", size, "WEBP", one VP8L chunk) of a colour gradient,
/// with an alpha channel when `alpha`.
pub fn gradient_webp(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let mut pixels = Vec::new();
    for y in 0..height {
        for x in 0..width {
            pixels.push((x * 255 / width.max(1)) as u8);
            pixels.push((y * 255 / height.max(1)) as u8);
            pixels.push(((x + y) * 7 % 256) as u8);
            if alpha {
                pixels.push((255 - (x * 3 + y) % 200) as u8);
            }
        }
    }
    let colour = if alpha {
        image_webp::ColorType::Rgba8
    } else {
        image_webp::ColorType::Rgb8
    };
    let mut out = Vec::new();
    image_webp::WebPEncoder::new(&mut out)
        .encode(&pixels, width, height, colour)
        .expect("image-webp encodes");
    out
}

/// Every chunk as (FourCC, data, whole-chunk range including the pad byte), walked
/// independently of the crate, up to the RIFF size.
pub fn webp_chunks(webp: &[u8]) -> Vec<([u8; 4], Vec<u8>, Range<usize>)> {
    assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP");
    let end = 8 + u32::from_le_bytes(webp[4..8].try_into().unwrap()) as usize;
    let mut out = Vec::new();
    let mut at = 12;
    while at + 8 <= end.min(webp.len()) {
        let kind: [u8; 4] = webp[at..at + 4].try_into().unwrap();
        let len = u32::from_le_bytes(webp[at + 4..at + 8].try_into().unwrap()) as usize;
        let data_end = (at + 8 + len).min(webp.len());
        let chunk_end = at + 8 + len + (len & 1);
        out.push((kind, webp[at + 8..data_end].to_vec(), at..chunk_end));
        at = chunk_end;
    }
    out
}

/// One chunk: FourCC, size, data, pad byte when the size is odd.
pub fn webp_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = kind.to_vec();
    v.extend_from_slice(&(data.len() as u32).to_le_bytes());
    v.extend_from_slice(data);
    if data.len() % 2 == 1 {
        v.push(0);
    }
    v
}

/// A RIFF WebP made of whole chunks, with the RIFF size filled in.
pub fn webp_file(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    v.extend_from_slice(b"WEBP");
    v.extend_from_slice(&body);
    v
}

/// A VP8X chunk with the given flags and canvas size.
pub fn vp8x_chunk(flags: u8, width: u32, height: u32) -> Vec<u8> {
    let mut data = vec![flags, 0, 0, 0];
    data.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    data.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    webp_chunk(b"VP8X", &data)
}

/// The VP8L chunk (whole, with header) of a simple-format file.
pub fn vp8l_of(simple: &[u8]) -> Vec<u8> {
    let (kind, data, _) = webp_chunks(simple).remove(0);
    assert_eq!(&kind, b"VP8L");
    webp_chunk(&kind, &data)
}

/// The data of every chunk that holds the image itself, in order.
pub fn webp_image_data(webp: &[u8]) -> Vec<Vec<u8>> {
    webp_chunks(webp)
        .into_iter()
        .filter(|(k, _, _)| [b"VP8 ", b"VP8L", b"ALPH", b"ANMF"].contains(&k))
        .map(|(_, d, _)| d)
        .collect()
}

/// The VP8X flags byte, if the file has a VP8X chunk.
pub fn webp_flags(webp: &[u8]) -> Option<u8> {
    webp_chunks(webp)
        .into_iter()
        .find(|(k, _, _)| k == b"VP8X")
        .map(|(_, d, _)| d[0])
}

/// Decoded RGBA pixels of a WebP, or `None` when the decoder rejects it.
pub fn decode_webp(webp: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let mut decoder = image_webp::WebPDecoder::new(std::io::Cursor::new(webp)).ok()?;
    let (w, h) = decoder.dimensions();
    let mut buf = vec![0; decoder.output_buffer_size()?];
    decoder.read_image(&mut buf).ok()?;
    let rgba = if decoder.has_alpha() {
        buf
    } else {
        buf.chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    };
    Some((w, h, rgba))
}

/// An extended-format lossless WebP: VP8X (ICC, EXIF, XMP flags), ICCP, the gradient VP8L,
/// EXIF (camera EXIF with GPS, given orientation), "XMP ", an odd-sized unknown chunk, and a
/// JPEG appended after the RIFF data.
pub fn full_webp_fixture(orientation: u16) -> Vec<u8> {
    let (w, h) = (48, 32);
    let mut webp = webp_file(&[
        vp8x_chunk(WEBP_ICC | WEBP_EXIF | WEBP_XMP, w, h),
        webp_chunk(b"ICCP", &fake_icc_profile()),
        vp8l_of(&gradient_webp(w, h, false)),
        webp_chunk(
            b"EXIF",
            &camera_exif(orientation, orientation.is_multiple_of(2)),
        ),
        webp_chunk(b"XMP ", XMP_PACKET.as_bytes()),
        webp_chunk(b"ABCD", b"vendor secret"),
    ]);
    webp.extend_from_slice(&gradient_jpeg(16, 16));
    webp
}
