//! Container walkers and lossless cleaners. JPEG, PNG and WebP for now; GIF, TIFF and HEIF
//! come next, each in its own file.

pub mod jpeg;
pub mod jpeg_segment;
pub mod jpeg_strip;
pub mod orientation_exif;
pub mod png;
pub mod png_strip;
pub mod sniff;
pub mod webp;
pub mod webp_strip;
