//! A JPEG decoded at reduced size, to be looked at (faces, nudity, the warning's preview).
//!
//! A JPEG stores 8×8 blocks of frequencies; decoding each block to 4×4, 2×2 or 1×1 pixels
//! instead of 8×8 (DCT scaling) gives the photo at 1/2, 1/4 or 1/8 of its size for a fraction
//! of the work, and never holds its full-size pixels. A 12 MP photo becomes 1000×750 (what a
//! 640 px look needs) in about a third of the time a full decode takes: measured on a 12 MP
//! JPEG of 1.8 MB, 26 ms in wasm (V8) against 49 ms for a full decode with the `image` crate's
//! decoder and 52 ms for Chromium's own decode and scale. A 50 MP photo needs 2 MB of pixels
//! here instead of 200 MB.

use jpeg_decoder::{CodingProcess, Decoder, PixelFormat, UnsupportedFeature};

use super::faces::{upright_copy, Upright};
use super::orient::Orient;
use crate::media::sniff::{sniff, Container};
use crate::{Error, Limits};

/// Most memory a progressive JPEG's decode may hold here: such a file's frequencies are kept at
/// full size until its last scan (2 bytes a sample), whatever size is asked for, and a look is
/// made for every photo chosen, in a frame whose memory never shrinks. 128 MiB takes a 21 MP
/// colour photo (a 12 MP one needs 36–72 MiB); a larger one is decoded another way (the
/// browser in the extension, the full decoder natively). A baseline JPEG is decoded a row of
/// blocks at a time into the reduced picture, so it needs no such buffer.
const PROGRESSIVE_MAX_BYTES: u64 = 128 * 1024 * 1024;

/// An upright copy of a photo to look at, and where it sits in the photo.
pub struct LookCopy {
    pub copy: Upright,
    /// Upright photo pixels per copy pixel.
    pub scale: f64,
    /// The photo's upright size (orientation applied).
    pub photo: (u32, u32),
}

/// The JPEG `bytes` decoded at the smallest DCT scale whose long side reaches `side`, then
/// turned upright and scaled down (area average) to a long side of at most `side`.
/// Grey and colour (YCbCr, RGB) DCT JPEGs only: a CMYK, 12-bit or lossless JPEG is
/// `unsupported-format`, as is arithmetic coding, and a progressive JPEG over
/// [`PROGRESSIVE_MAX_BYTES`] is `too-large`, so the caller can decode it another way.
pub fn jpeg_look_copy(bytes: &[u8], side: u32, limits: &Limits) -> Result<LookCopy, Error> {
    if bytes.len() > limits.max_input_bytes {
        return Err(Error::too_large("the file is larger than the limits allow"));
    }
    if sniff(bytes) != Container::Jpeg {
        return Err(Error::unsupported("this is not a JPEG image"));
    }
    // The walk also refuses what is not a whole JPEG, before the decoder sees it.
    let orient = Orient(crate::hash::jpeg_orientation(bytes, limits)?.to_exif());
    let mut decoder = Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_decode_bytes).unwrap_or(usize::MAX),
    );
    decoder.read_info().map_err(from_jpeg_error)?;
    let info = decoder
        .info()
        .ok_or_else(|| Error::malformed("the JPEG image has no frame header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if width == 0 || height == 0 {
        return Err(Error::malformed("the JPEG image has no pixels"));
    }
    // The decoder does not scale a lossless JPEG: it would hand back the first rows of the
    // full-size picture as if they were the whole photo.
    if info.coding_process == CodingProcess::Lossless {
        return Err(Error::unsupported(
            "this JPEG image is lossless, which is not decoded at reduced size",
        ));
    }
    let channels = match info.pixel_format {
        PixelFormat::L8 => 1,
        PixelFormat::RGB24 => 3,
        PixelFormat::L16 | PixelFormat::CMYK32 => {
            return Err(Error::unsupported(
                "this JPEG image's colours (CMYK or 16-bit) are not decoded at reduced size",
            ))
        }
    };
    // Checked from the header, before any pixel memory.
    let too_large = || {
        Error::too_large(format!(
            "the JPEG image is {width}×{height} pixels, more than the limits allow"
        ))
    };
    if width > limits.max_image_side || height > limits.max_image_side {
        return Err(too_large());
    }
    let held = u64::from(width) * u64::from(height) * channels as u64 * 2;
    if info.coding_process == CodingProcess::DctProgressive
        && held > PROGRESSIVE_MAX_BYTES.min(limits.max_decode_bytes)
    {
        return Err(too_large());
    }
    let request = u16::try_from(side.max(1)).unwrap_or(u16::MAX);
    let (sw, sh) = decoder.scale(request, request).map_err(from_jpeg_error)?;
    let pixels = decoder.decode().map_err(from_jpeg_error)?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let (copy, per_copy_pixel) = upright_copy(&pixels, sw, sh, channels, orient, side)?;
    Ok(LookCopy {
        copy,
        scale: per_copy_pixel * f64::from(width) / f64::from(sw.max(1)),
        photo: orient.upright_size(width, height),
    })
}

/// The decoder's error as one of the core's stable codes (its wording names its internals).
fn from_jpeg_error(error: jpeg_decoder::Error) -> Error {
    match error {
        jpeg_decoder::Error::Unsupported(feature) => Error::unsupported(match feature {
            UnsupportedFeature::ArithmeticEntropyCoding => {
                "this JPEG image uses arithmetic coding, which is not decoded at reduced size"
            }
            _ => "this JPEG image uses a feature that is not decoded at reduced size",
        }),
        jpeg_decoder::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::truncated("the JPEG image stops before its pixel data ends")
        }
        _ => Error::malformed("the JPEG image data is damaged and cannot be decoded"),
    }
}
