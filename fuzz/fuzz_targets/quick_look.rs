//! The reduced-size JPEG decode of the quick look, on any bytes and on small JPEGs encoded from
//! the input and then damaged as the input says (random bytes alone rarely reach the decoder):
//! Ok or Err, never a panic, and a copy it returns is RGBA no larger than asked nor than the
//! photo.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentinelle::vision::scaled::jpeg_look_copy;
use sentinelle::Limits;

fn check(bytes: &[u8], side: u32) {
    if let Ok(look) = jpeg_look_copy(bytes, side, &Limits::default()) {
        let c = &look.copy;
        assert_eq!(c.rgb.len(), (c.width * c.height * 3) as usize);
        assert!(c.width.max(c.height) <= side.max(1));
        assert!(c.width <= look.photo.0 && c.height <= look.photo.1);
    }
    if let Ok(look) = sentinelle::vision::jpeg_quick_look(bytes) {
        assert_eq!(look.rgba.len(), (look.width * look.height * 4) as usize);
    }
}

fuzz_target!(|data: &[u8]| {
    let [w, h, quality, side, rest @ ..] = data else {
        return check(data, 640);
    };
    // Small sides, so that the decoder scales down by 1/2, 1/4 and 1/8 too.
    let side = u32::from(*side % 64) + 1;
    check(data, side);
    let (w, h) = (u32::from(*w % 96) + 1, u32::from(*h % 96) + 1);
    let rgb: Vec<u8> = (0..(w * h * 3) as usize)
        .map(|i| rest.get(i % rest.len().max(1)).copied().unwrap_or(128))
        .collect();
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 40 + quality % 60);
    if encoder
        .encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .is_err()
    {
        return;
    }
    for change in rest.chunks_exact(3) {
        let at = (usize::from(change[0]) << 8 | usize::from(change[1])) % jpeg.len();
        if let Some(byte) = jpeg.get_mut(at) {
            *byte ^= change[2];
        }
    }
    check(&jpeg, side);
});
