//! Container walkers and lossless cleaners. Only JPEG for now; PNG, WebP, GIF, TIFF and HEIF
//! come next, each in its own file.

pub mod jpeg;
pub mod jpeg_segment;
pub mod jpeg_strip;
pub mod orientation_exif;
pub mod sniff;
