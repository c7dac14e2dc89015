//! What the photo shows, on the device: faces (the deepfake risk), and the fixes, blurring them
//! or cropping them out.

pub mod blazeface;
pub mod blur;
pub mod crop;
pub mod faces;
pub mod nn;
pub mod nudity;
pub mod orient;
pub mod scaled;

use image::ImageFormat;
use serde::Serialize;

pub use faces::{Detail, Face};
use orient::Orient;

use crate::media::sniff::{sniff, Container};
use crate::{Error, Limits};

/// Faces in a photo, and the photo's upright size the boxes refer to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceReport {
    pub width: u32,
    pub height: u32,
    pub faces: Vec<Face>,
    /// The part of the photo a crop would keep (no face in it), when one is large enough.
    pub crop: Option<crop::Rect>,
}

impl FaceReport {
    fn new(width: u32, height: u32, faces: Vec<Face>) -> Self {
        FaceReport {
            width,
            height,
            crop: crop::face_free_rect(width, height, &faces),
            faces,
        }
    }

    /// Whether any face is large and sharp enough to be reused.
    pub fn any_reusable(&self) -> bool {
        self.faces.iter().any(|f| f.reusable)
    }
}

struct Decoded {
    image: image::DynamicImage,
    icc: Option<Vec<u8>>,
    format: ImageFormat,
    orient: Orient,
}

fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, Error> {
    if bytes.len() > limits.max_input_bytes {
        return Err(Error::too_large("the file is larger than the limits allow"));
    }
    let (format, orient) = match sniff(bytes) {
        Container::Jpeg => {
            let o = crate::hash::jpeg_orientation(bytes, limits)?;
            (ImageFormat::Jpeg, Orient(o.to_exif()))
        }
        Container::Png => (ImageFormat::Png, Orient(1)),
        _ => {
            return Err(Error::unsupported(
                "faces are looked for in JPEG and PNG photos in this version",
            ))
        }
    };
    let (image, icc) = crate::hash::decode::decode_with_icc(bytes, format, limits)?;
    Ok(Decoded {
        image,
        icc,
        format,
        orient,
    })
}

/// An upright copy of a photo decoded whole, with a long side of at most `side`.
fn copy_of(decoded: &Decoded, side: u32) -> Result<scaled::LookCopy, Error> {
    let (pixels, channels) = pixels_in(&decoded.image);
    let (w, h) = (decoded.image.width(), decoded.image.height());
    let (copy, scale) = faces::upright_copy(&pixels, w, h, channels, decoded.orient, side)?;
    Ok(scaled::LookCopy {
        copy,
        scale,
        photo: decoded.orient.upright_size(w, h),
    })
}

fn pixels_of(image: &image::DynamicImage) -> (Vec<u8>, usize) {
    if image.color().has_alpha() {
        (image.to_rgba8().into_raw(), 4)
    } else {
        (image.to_rgb8().into_raw(), 3)
    }
}

/// Faces in a JPEG or PNG, with [`Limits::default`], looked for as the warning does
/// ([`Detail::Quick`]). Boxes are in the upright photo's pixels.
pub fn detect_faces(bytes: &[u8]) -> Result<FaceReport, Error> {
    detect_faces_with(bytes, Detail::Quick)
}

/// Faces in a JPEG or PNG, with [`Limits::default`], looked for with `detail`.
pub fn detect_faces_with(bytes: &[u8], detail: Detail) -> Result<FaceReport, Error> {
    faces_in(
        &look_copy(bytes, detail.side(), &Limits::default())?,
        detail,
    )
}

/// An upright copy of a JPEG or PNG with a long side of at most `side`, to look at. A JPEG is
/// decoded at reduced size ([`scaled`]); one that decoder refuses (CMYK, 12-bit, lossless,
/// arithmetic coding, a progressive one too large for it, or damage the full decoder tolerates)
/// and a PNG are decoded whole.
fn look_copy(bytes: &[u8], side: u32, limits: &Limits) -> Result<scaled::LookCopy, Error> {
    if sniff(bytes) == Container::Jpeg {
        if let Ok(copy) = scaled::jpeg_look_copy(bytes, side, limits) {
            return Ok(copy);
        }
    }
    copy_of(&decode(bytes, limits)?, side)
}

fn faces_in(look: &scaled::LookCopy, detail: Detail) -> Result<FaceReport, Error> {
    let (pw, ph) = look.photo;
    Ok(FaceReport::new(
        pw,
        ph,
        faces::detect_in_upright(&look.copy, look.scale, look.photo, detail)?,
    ))
}

fn nudity_of(look: &scaled::LookCopy) -> Result<nudity::Nudity, Error> {
    let c = &look.copy;
    nudity::network()?.classify(&nudity::model_input(&c.rgb, c.width, c.height, 3)?)
}

/// A JPEG's upright copy for the quick look ([`Detail::Quick`]), as RGBA, decoded at reduced
/// size: what the extension looks at instead of the browser's decode. An error (with its code)
/// for a JPEG the reduced-size decoder refuses (the browser decodes it then).
pub fn jpeg_quick_look(bytes: &[u8]) -> Result<QuickLook, Error> {
    let look = scaled::jpeg_look_copy(bytes, Detail::Quick.side(), &Limits::default())?;
    let c = &look.copy;
    let mut rgba = Vec::with_capacity(c.rgb.len() / 3 * 4);
    for px in c.rgb.chunks_exact(3) {
        rgba.extend_from_slice(px);
        rgba.push(255);
    }
    Ok(QuickLook {
        width: c.width,
        height: c.height,
        rgba,
        photo_width: look.photo.0,
        photo_height: look.photo.1,
    })
}

/// See [`jpeg_quick_look`].
pub struct QuickLook {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    /// The photo's upright size, which face boxes are given in.
    pub photo_width: u32,
    pub photo_height: u32,
}

/// Faces in pixels the browser decoded and turned upright (RGBA, possibly scaled down), with the
/// boxes scaled to the photo's upright size `photo_width`×`photo_height`.
pub fn detect_faces_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    photo_width: u32,
    photo_height: u32,
) -> Result<FaceReport, Error> {
    let detail = Detail::Quick;
    let (copy, scale) = faces::upright_copy(rgba, width, height, 4, Orient(1), detail.side())?;
    let ratio = f64::from(photo_width.max(1)) / f64::from(width.max(1));
    Ok(FaceReport::new(
        photo_width,
        photo_height,
        faces::detect_in_upright(
            &copy,
            scale * ratio,
            (photo_width.max(1), photo_height.max(1)),
            detail,
        )?,
    ))
}

/// The photo with every face blurred beyond recognition, and the faces that were blurred. A
/// JPEG stays a JPEG (quality 92), a PNG a PNG; colour profile and orientation are kept, no
/// other metadata is written. A photo in which no face is found gets the lossless strip: this
/// is a fix the person chose, so the metadata goes either way (the browser's quicker look may
/// have seen a face that this full-size look does not).
pub fn blur_faces(bytes: &[u8]) -> Result<(Vec<u8>, FaceReport), Error> {
    blur_faces_reporting(bytes, &mut |_| {})
}

/// Where a fix has got to, as a share of its work done (0 to 1), for a progress bar: the share
/// of each stage is what it took on a 12 MP portrait (measured: `cargo bench --bench fixes`).
pub mod progress {
    /// Decoded to pixels.
    pub const DECODED: f32 = 0.05;
    /// Faces looked for (the thorough look is most of the work).
    pub const LOOKED: f32 = 0.45;
    /// Faces blurred.
    pub const BLURRED: f32 = 0.5;
    /// Looked again, for a face that stood out once its neighbour was blurred.
    pub const LOOKED_AGAIN: f32 = 0.88;
    /// Encoded: done.
    pub const DONE: f32 = 1.0;
}

/// [`blur_faces`], telling `progress` as each stage ends ([`progress`]).
pub fn blur_faces_reporting(
    bytes: &[u8],
    progress: &mut dyn FnMut(f32),
) -> Result<(Vec<u8>, FaceReport), Error> {
    let Decoded {
        image,
        icc,
        format,
        orient,
    } = decode(bytes, &Limits::default())?;
    let (w, h) = (image.width(), image.height());
    // The decoded picture becomes the pixels blurred in place: no second full-size copy.
    let (mut pixels, channels) = into_pixels(image);
    progress(progress::DECODED);
    let faces = faces::detect_in_pixels(&pixels, w, h, channels, orient, Detail::Thorough)?;
    let (uw, uh) = orient.upright_size(w, h);
    let mut report = FaceReport::new(uw, uh, faces);
    progress(progress::LOOKED);
    if report.faces.is_empty() {
        let stripped = crate::strip_metadata(bytes)?;
        progress(progress::DONE);
        return Ok((stripped, report));
    }
    blur::blur_regions(&mut pixels, w, h, channels, orient, &report.faces);
    progress(progress::BLURRED);
    // Look again: a face the detector missed next to a blurred one can stand out once its
    // neighbour is gone. Blur what it finds now too, a few rounds at most.
    for _ in 0..3 {
        let more = faces::detect_in_pixels(&pixels, w, h, channels, orient, Detail::Thorough)?;
        if more.is_empty() {
            break;
        }
        blur::blur_regions(&mut pixels, w, h, channels, orient, &more);
        report.faces.extend(more);
    }
    progress(progress::LOOKED_AGAIN);
    let out = encode_as(format, icc, pixels, channels, (w, h), orient.0)?;
    progress(progress::DONE);
    Ok((out, report))
}

/// A decoded picture's 8-bit pixels and their channels (1 to 4), to look at: borrowed when it
/// holds 8-bit samples, an RGB or RGBA copy otherwise.
fn pixels_in(image: &image::DynamicImage) -> (std::borrow::Cow<'_, [u8]>, usize) {
    use std::borrow::Cow;
    match image {
        image::DynamicImage::ImageLuma8(b) => (Cow::Borrowed(b.as_raw()), 1),
        image::DynamicImage::ImageLumaA8(b) => (Cow::Borrowed(b.as_raw()), 2),
        image::DynamicImage::ImageRgb8(b) => (Cow::Borrowed(b.as_raw()), 3),
        image::DynamicImage::ImageRgba8(b) => (Cow::Borrowed(b.as_raw()), 4),
        _ => {
            let (pixels, channels) = pixels_of(image);
            (Cow::Owned(pixels), channels)
        }
    }
}

/// A decoded picture's pixels, RGB or (with transparency) RGBA, without a copy when it already
/// is one of those.
fn into_pixels(image: image::DynamicImage) -> (Vec<u8>, usize) {
    if image.color().has_alpha() {
        (image.into_rgba8().into_raw(), 4)
    } else {
        (image.into_rgb8().into_raw(), 3)
    }
}

/// Encodes changed pixels (`channels` 3 or 4) in the photo's own `format`: a JPEG as JPEG
/// (quality 92, RGB) with `orientation` as its only EXIF, a PNG as PNG; the colour profile kept.
fn encode_as(
    format: ImageFormat,
    icc: Option<Vec<u8>>,
    pixels: Vec<u8>,
    channels: usize,
    (w, h): (u32, u32),
    orientation: u8,
) -> Result<Vec<u8>, Error> {
    match format {
        ImageFormat::Jpeg => {
            let rgb = if channels == 4 {
                pixels
                    .chunks_exact(4)
                    .flat_map(|p| p.iter().take(3).copied())
                    .collect()
            } else {
                pixels
            };
            blur::encode_jpeg(&rgb, w, h, icc, orientation)
        }
        _ => blur::encode_png(&pixels, w, h, channels, icc),
    }
}

/// Rounds of "crop, then look again" before giving up: a face the detector missed at the
/// photo's full size may be found in the smaller crop.
const CROP_ROUNDS: usize = 3;

/// The photo cropped to its largest part without a face ([`crop::face_free_rect`]), and that
/// part (in the upright photo's pixels). The crop is looked at again, and cropped again if a face
/// shows up. The pixels are turned upright and re-encoded once (JPEG quality 92, or PNG) with
/// the colour profile and nothing else, so no orientation tag is needed. `invalid-input` when
/// the photo has no face, or no face-free part large enough to keep.
pub fn crop_faces(bytes: &[u8]) -> Result<(Vec<u8>, crop::Rect), Error> {
    let Decoded {
        image: mut upright,
        icc,
        format,
        orient,
    } = decode(bytes, &Limits::default())?;
    let (uw, uh) = orient.upright_size(upright.width(), upright.height());
    if let Some(o) = image::metadata::Orientation::from_exif(orient.0) {
        upright.apply_orientation(o);
    }
    let no_part = || {
        Error::invalid(
            "this photo has no part without a face large enough to keep: blur the faces instead",
        )
    };
    let (mut kept, mut image) = (None::<crop::Rect>, upright);
    for round in 0..=CROP_ROUNDS {
        let (pixels, channels) = pixels_in(&image);
        let (w, h) = (image.width(), image.height());
        let found = faces::detect_in_pixels(&pixels, w, h, channels, Orient(1), Detail::Thorough)?;
        if found.is_empty() {
            break;
        }
        if round == CROP_ROUNDS {
            return Err(no_part());
        }
        let part = crop::face_free_rect(w, h, &found).ok_or_else(no_part)?;
        image = image.crop_imm(part.x, part.y, part.width, part.height);
        kept = Some(match kept {
            Some(k) => crop::Rect {
                x: k.x + part.x,
                y: k.y + part.y,
                ..part
            },
            None => part,
        });
    }
    let kept = kept.ok_or_else(|| Error::invalid("this photo has no face to crop out"))?;
    // Cropping again may have left a part too small to be the photo the person meant to send.
    if !crop::large_enough(&kept, uw, uh) {
        return Err(no_part());
    }
    let (w, h) = (image.width(), image.height());
    let (pixels, channels) = into_pixels(image);
    let out = encode_as(format, icc, pixels, channels, (w, h), 1)?;
    Ok((out, kept))
}

/// How likely the photo shows nudity, from a JPEG or PNG (upright, whole image), looked at in
/// the quick look's copy as the extension does.
pub fn detect_nudity(bytes: &[u8]) -> Result<nudity::Nudity, Error> {
    nudity_of(&look_copy(bytes, Detail::Quick.side(), &Limits::default())?)
}

/// Faces and nudity of one JPEG or PNG, in one copy decoded at reduced size (what `sentinelle
/// inspect` shows).
pub fn look(bytes: &[u8]) -> Result<(FaceReport, nudity::Nudity), Error> {
    let copy = look_copy(bytes, Detail::Quick.side(), &Limits::default())?;
    Ok((faces_in(&copy, Detail::Quick)?, nudity_of(&copy)?))
}

/// Gets the networks ready before a photo comes: each model asked for is read from its compiled-in
/// description and run once on a grey picture of the quick look's size. In a browser this makes
/// the first photo as quick as the next ones. Measured in Chromium, 12 MP portrait: the first
/// look at faces in a new frame took 85–92 ms after a run on a 64 px picture, 70–82 ms after
/// this one, 67–75 ms when repeated. Parsing the model, the browser's optimising compiler (it
/// compiles a loop once it has run) and the engine's memory growing to the size of the feature
/// maps (tens of megabytes, which the system hands over page by page) are all done here.
pub fn prepare(faces: bool, nudity: bool) -> Result<(), Error> {
    let side = Detail::Quick.side();
    let grey = vec![128u8; (side * side * 4) as usize];
    if faces {
        detect_faces_rgba(&grey, side, side, side, side)?;
    }
    if nudity {
        detect_nudity_rgba(&grey, side, side)?;
    }
    Ok(())
}

/// How likely pixels the browser decoded upright (RGBA) show nudity.
pub fn detect_nudity_rgba(rgba: &[u8], width: u32, height: u32) -> Result<nudity::Nudity, Error> {
    nudity::network()?.classify(&nudity::model_input(rgba, width, height, 4)?)
}
