//! Shared test helpers: generated JPEG fixtures with known metadata, a small TIFF/EXIF writer,
//! pixel decoding, the optional real-file corpus, and a seeded pseudo-random generator.
//!
//! Fixtures are generated rather than checked in so every byte of metadata is known and the
//! tests do not depend on the corpus (a fresh clone has no `../shared`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::path::{Path, PathBuf};

// WebP fixtures need the image-webp dev-dependency, which is native only (the wasm boundary
// tests share this module).
pub mod gif;
pub mod heif;
#[cfg(not(target_arch = "wasm32"))]
pub mod webp;

use image::ImageEncoder;
use sentinelle::media::jpeg::{walk, PieceKind};
use sentinelle::Limits;

// ---------------------------------------------------------------------------------------------
// JPEG encoding and decoding (image crate, tests only)

/// A small baseline JPEG of a colour gradient, encoded by the image crate. Its structure is
/// SOI, APP0 JFIF, DQT, SOF0, DHT, SOS, scan data, EOI.
pub fn gradient_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            rgb.push((x * 255 / width.max(1)) as u8);
            rgb.push((y * 255 / height.max(1)) as u8);
            rgb.push(((x + y) * 7 % 256) as u8);
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode(&rgb, width, height, image::ExtendedColorType::Rgb8)
        .expect("encoding a gradient cannot fail");
    out
}

/// Decoded RGB pixels and dimensions, or `None` when the decoder rejects the file.
pub fn decode_pixels(jpeg: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let img = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).ok()?;
    let rgb = img.to_rgb8();
    Some((rgb.width(), rgb.height(), rgb.into_raw()))
}

/// The entropy-coded scan data of a JPEG, concatenated.
pub fn scan_bytes(jpeg: &[u8]) -> Vec<u8> {
    let layout = walk(jpeg, &Limits::default()).expect("fixture walks");
    layout
        .pieces
        .iter()
        .filter(|p| p.kind == PieceKind::EntropyCoded)
        .flat_map(|p| jpeg[p.range.clone()].to_vec())
        .collect()
}

/// Every marker segment as (marker, payload), in file order.
pub fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let layout = walk(jpeg, &Limits::default()).expect("walks");
    layout
        .segments()
        .map(|(m, r)| (m, jpeg[r].to_vec()))
        .collect()
}

/// EXIF Orientation read with kamadak-exif straight from the JPEG (independent of our code).
pub fn orientation_of(jpeg: &[u8]) -> Option<u32> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(jpeg))
        .ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)
}

// ---------------------------------------------------------------------------------------------
// Segments

/// A marker segment with its length field.
pub fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len() + 2).expect("segment payload fits");
    let mut v = vec![0xFF, marker];
    v.extend_from_slice(&len.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

pub fn exif_segment(tiff: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(tiff);
    segment(0xE1, &payload)
}

pub fn xmp_segment(xml: &str) -> Vec<u8> {
    let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    payload.extend_from_slice(xml.as_bytes());
    segment(0xE1, &payload)
}

pub fn comment_segment(text: &str) -> Vec<u8> {
    segment(0xFE, text.as_bytes())
}

/// One-chunk ICC profile segment (APP2 "ICC_PROFILE\0", chunk 1 of 1).
pub fn icc_segment(profile: &[u8]) -> Vec<u8> {
    let mut payload = b"ICC_PROFILE\0\x01\x01".to_vec();
    payload.extend_from_slice(profile);
    segment(0xE2, &payload)
}

/// Inserts segments right after the first `skip` segments following SOI (0 = right after SOI).
pub fn insert_segments(jpeg: &[u8], skip: usize, new: &[Vec<u8>]) -> Vec<u8> {
    let mut at = 2;
    for _ in 0..skip {
        let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        at += 2 + len;
    }
    let mut out = jpeg[..at].to_vec();
    for s in new {
        out.extend_from_slice(s);
    }
    out.extend_from_slice(&jpeg[at..]);
    out
}

// ---------------------------------------------------------------------------------------------
// A tiny TIFF writer for EXIF payloads

/// One IFD entry; `data` is already in the file's byte order.
pub struct Entry {
    pub tag: u16,
    pub typ: u16,
    pub count: u32,
    pub data: Vec<u8>,
}

pub struct TiffWriter {
    pub big_endian: bool,
}

impl TiffWriter {
    fn u16b(&self, v: u16) -> [u8; 2] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn u32b(&self, v: u32) -> [u8; 4] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    pub fn ascii(&self, tag: u16, text: &str) -> Entry {
        let mut data = text.as_bytes().to_vec();
        data.push(0);
        Entry {
            tag,
            typ: 2,
            count: data.len() as u32,
            data,
        }
    }

    pub fn short(&self, tag: u16, v: u16) -> Entry {
        Entry {
            tag,
            typ: 3,
            count: 1,
            data: self.u16b(v).to_vec(),
        }
    }

    pub fn long(&self, tag: u16, v: u32) -> Entry {
        Entry {
            tag,
            typ: 4,
            count: 1,
            data: self.u32b(v).to_vec(),
        }
    }

    pub fn bytes(&self, tag: u16, typ: u16, v: &[u8]) -> Entry {
        Entry {
            tag,
            typ,
            count: v.len() as u32,
            data: v.to_vec(),
        }
    }

    pub fn rationals(&self, tag: u16, v: &[(u32, u32)]) -> Entry {
        let mut data = Vec::new();
        for (n, d) in v {
            data.extend_from_slice(&self.u32b(*n));
            data.extend_from_slice(&self.u32b(*d));
        }
        Entry {
            tag,
            typ: 5,
            count: v.len() as u32,
            data,
        }
    }

    /// Bytes an IFD with these entries occupies, out-of-line values included.
    fn ifd_size(entries: &[Entry]) -> usize {
        let overflow: usize = entries
            .iter()
            .filter(|e| e.data.len() > 4)
            .map(|e| (e.data.len() + 1) & !1)
            .sum();
        2 + 12 * entries.len() + 4 + overflow
    }

    fn write_ifd(&self, out: &mut Vec<u8>, entries: &mut [Entry], next: u32) {
        entries.sort_by_key(|e| e.tag);
        let start = out.len();
        let mut data_at = start + 2 + 12 * entries.len() + 4;
        let mut overflow = Vec::new();
        out.extend_from_slice(&self.u16b(entries.len() as u16));
        for e in entries.iter() {
            out.extend_from_slice(&self.u16b(e.tag));
            out.extend_from_slice(&self.u16b(e.typ));
            out.extend_from_slice(&self.u32b(e.count));
            if e.data.len() <= 4 {
                let mut inline = e.data.clone();
                inline.resize(4, 0);
                out.extend_from_slice(&inline);
            } else {
                out.extend_from_slice(&self.u32b(data_at as u32));
                overflow.extend_from_slice(&e.data);
                if e.data.len() % 2 == 1 {
                    overflow.push(0);
                }
                data_at += (e.data.len() + 1) & !1;
            }
        }
        out.extend_from_slice(&self.u32b(next));
        out.extend_from_slice(&overflow);
    }

    /// Lays out IFD0 (+ Exif IFD, GPS IFD) and an optional IFD1 with a JPEG thumbnail, filling
    /// in the pointers.
    pub fn build(
        &self,
        mut ifd0: Vec<Entry>,
        exif_ifd: Vec<Entry>,
        gps_ifd: Vec<Entry>,
        thumbnail: Option<&[u8]>,
    ) -> Vec<u8> {
        let has_exif = !exif_ifd.is_empty();
        let has_gps = !gps_ifd.is_empty();
        // Pointer entries are inline LONGs, so sizes are known before their values.
        if has_exif {
            ifd0.push(self.long(0x8769, 0));
        }
        if has_gps {
            ifd0.push(self.long(0x8825, 0));
        }
        let mut ifd1 = match thumbnail {
            Some(t) => vec![
                self.short(0x0103, 6),
                self.long(0x0201, 0),
                self.long(0x0202, t.len() as u32),
            ],
            None => Vec::new(),
        };
        let off0 = 8;
        let off_exif = off0 + Self::ifd_size(&ifd0);
        let off_gps = off_exif
            + if has_exif {
                Self::ifd_size(&exif_ifd)
            } else {
                0
            };
        let off1 = off_gps + if has_gps { Self::ifd_size(&gps_ifd) } else { 0 };
        let off_thumb = off1
            + if thumbnail.is_some() {
                Self::ifd_size(&ifd1)
            } else {
                0
            };
        for e in ifd0.iter_mut() {
            match e.tag {
                0x8769 => e.data = self.u32b(off_exif as u32).to_vec(),
                0x8825 => e.data = self.u32b(off_gps as u32).to_vec(),
                _ => {}
            }
        }
        for e in ifd1.iter_mut() {
            if e.tag == 0x0201 {
                e.data = self.u32b(off_thumb as u32).to_vec();
            }
        }

        let mut out = Vec::new();
        out.extend_from_slice(if self.big_endian { b"MM\0*" } else { b"II*\0" });
        out.extend_from_slice(&self.u32b(off0 as u32));
        let next0 = if thumbnail.is_some() { off1 as u32 } else { 0 };
        self.write_ifd(&mut out, &mut ifd0, next0);
        let mut exif_ifd = exif_ifd;
        let mut gps_ifd = gps_ifd;
        if has_exif {
            assert_eq!(out.len(), off_exif);
            self.write_ifd(&mut out, &mut exif_ifd, 0);
        }
        if has_gps {
            assert_eq!(out.len(), off_gps);
            self.write_ifd(&mut out, &mut gps_ifd, 0);
        }
        if let Some(t) = thumbnail {
            assert_eq!(out.len(), off1);
            self.write_ifd(&mut out, &mut ifd1, 0);
            assert_eq!(out.len(), off_thumb);
            out.extend_from_slice(t);
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The standard fixture

pub const LATITUDE: f64 = 48.8584; // 48° 51' 30.24" N
pub const LONGITUDE: f64 = 2.2945; // 2° 17' 40.20" E
pub const ALTITUDE: f64 = 35.0;

/// A camera-like EXIF block: make, model, orientation, software, artist, dates, serial, GPS
/// (48.8584 N, 2.2945 E, 35 m) and a JPEG thumbnail in IFD1.
pub fn camera_exif(orientation: u16, big_endian: bool) -> Vec<u8> {
    let w = TiffWriter { big_endian };
    let ifd0 = vec![
        w.ascii(0x010f, "Sentinelle Test Cameras"),
        w.ascii(0x0110, "TC-1 Pro"),
        w.short(0x0112, orientation),
        w.ascii(0x0131, "FixtureWriter 1.0"),
        w.ascii(0x0132, "2024:05:02 08:00:00"),
        w.ascii(0x013b, "Ann Example"),
        w.ascii(0x8298, "(c) Ann Example"),
    ];
    let exif_ifd = vec![
        w.ascii(0x9003, "2024:05:01 12:34:56"),
        w.ascii(0x9004, "2024:05:01 12:34:56"),
        w.ascii(0x9011, "+02:00"),
        w.ascii(0xa430, "Ann's camera"),
        w.ascii(0xa431, "SN-0042-1337"),
        w.ascii(0xa435, "LENS-7788"),
        w.bytes(0x927c, 7, b"MAKERNOTE-with-serial-SN-0042-1337"),
    ];
    let gps_ifd = vec![
        w.bytes(0x0000, 1, &[2, 3, 0, 0]),
        w.ascii(0x0001, "N"),
        w.rationals(0x0002, &[(48, 1), (51, 1), (3024, 100)]),
        w.ascii(0x0003, "E"),
        w.rationals(0x0004, &[(2, 1), (17, 1), (4020, 100)]),
        w.bytes(0x0005, 1, &[0]),
        w.rationals(0x0006, &[(35, 1)]),
        w.rationals(0x0007, &[(10, 1), (34, 1), (56, 1)]),
        w.ascii(0x001d, "2024:05:01"),
    ];
    let thumbnail = gradient_jpeg(16, 16);
    w.build(ifd0, exif_ifd, gps_ifd, Some(&thumbnail))
}

pub const XMP_PACKET: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  exif:GPSLatitude="48,51.504N" exif:GPSLongitude="2,17.67E" xmp:CreatorTool="FixtureWriter 1.0">
<dc:creator><rdf:Seq><rdf:li>Ann Example</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#;

/// A fake but well-formed-looking colour profile: the cleaner must keep it byte for byte.
pub fn fake_icc_profile() -> Vec<u8> {
    let mut p = vec![0u8; 128];
    p[36..40].copy_from_slice(b"acsp");
    p.extend((0..200u32).map(|i| (i * 31 % 251) as u8));
    p
}

pub const TRAILER: &[u8] = b"SAMSUNG-TRAILER\x00\x01 time=2024-05-01T12:34:56 serial=RF8N";

/// The gradient JPEG with EXIF (given orientation), XMP, an ICC profile, a comment and a
/// trailer after EOI: the image crate's JFIF APP0 stays first.
pub fn full_fixture(orientation: u16) -> Vec<u8> {
    let base = gradient_jpeg(64, 48);
    let mut jpeg = insert_segments(
        &base,
        1,
        &[
            exif_segment(&camera_exif(orientation, orientation.is_multiple_of(2))),
            xmp_segment(XMP_PACKET),
            icc_segment(&fake_icc_profile()),
            comment_segment("taken at Ann's house, 12 Example Street"),
        ],
    );
    jpeg.extend_from_slice(TRAILER);
    jpeg
}

// ---------------------------------------------------------------------------------------------
// Synthetic photos for PDQ (image crate, tests only)

/// A deterministic photo-like RGB image: a tilted colour gradient, overlapping discs and
/// rectangles of random colours (structure at several scales, like objects in a scene) and a
/// little pixel noise (like sensor grain). Different seeds give unrelated pictures. Only
/// integer and basic float arithmetic, so native and wasm builds draw the same pixels.
pub fn photo_like(width: u32, height: u32, seed: u64) -> image::RgbImage {
    let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut unit = move || (rng.next() >> 40) as f32 / (1u64 << 24) as f32;
    let (w, h) = (width as f32, height as f32);
    let base = [unit() * 255.0, unit() * 255.0, unit() * 255.0];
    let tilt = [
        (unit() - 0.5) * 2.0,
        (unit() - 0.5) * 2.0,
        (unit() - 0.5) * 2.0,
    ];
    let (gx, gy) = (unit() - 0.5, unit() - 0.5);
    struct Shape {
        disc: bool,
        cx: f32,
        cy: f32,
        rx: f32,
        ry: f32,
        colour: [f32; 3],
    }
    let shapes: Vec<Shape> = (0..14)
        .map(|_| Shape {
            disc: unit() < 0.5,
            cx: unit() * w,
            cy: unit() * h,
            rx: (0.04 + unit() * 0.3) * w,
            ry: (0.04 + unit() * 0.3) * h,
            colour: [unit() * 255.0, unit() * 255.0, unit() * 255.0],
        })
        .collect();
    let mut noise = XorShift(seed ^ 0xDEAD_BEEF_CAFE_F00D | 1);
    image::RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let along = (gx * fx / w + gy * fy / h) * 255.0;
        let mut px: [f32; 3] = std::array::from_fn(|c| base[c] + tilt[c] * along);
        for s in &shapes {
            let (dx, dy) = ((fx - s.cx) / s.rx, (fy - s.cy) / s.ry);
            let inside = if s.disc {
                dx * dx + dy * dy <= 1.0
            } else {
                dx.abs() <= 1.0 && dy.abs() <= 1.0
            };
            if inside {
                for (p, c) in px.iter_mut().zip(s.colour) {
                    *p = (*p + 2.0 * c) / 3.0;
                }
            }
        }
        let grain = (noise.next() % 17) as f32 - 8.0;
        image::Rgb(px.map(|v| (v + grain).clamp(0.0, 255.0) as u8))
    })
}

/// The PDQ hash of `photo_like(320, 240, 7)` saved as PNG. Native tests and the wasm boundary
/// test both expect it, which holds the two builds to the same bits.
pub const KNOWN_PHOTO_PDQ: &str =
    "f8a14ce9626d73aae08b66ed6229cb9bc38d83858f590e550e1f071e6565b1f1";

/// PNG bytes of an RGB image.
pub fn png_bytes(image: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding a PNG in memory cannot fail");
    out
}

/// JPEG bytes of an RGB image at the given quality.
pub fn jpeg_bytes(image: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding a JPEG in memory cannot fail");
    out
}

// ---------------------------------------------------------------------------------------------
// Photos with faces

/// The group photo that ships in the rustface crate, found through `cargo metadata`, so it is
/// the copy cargo fetched for the build (29 faces, 66–80 px wide).
pub fn group_photo() -> &'static image::RgbImage {
    static PHOTO: std::sync::OnceLock<image::RgbImage> = std::sync::OnceLock::new();
    PHOTO.get_or_init(|| {
        let out = std::process::Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--offline"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let manifest = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "rustface")
            .unwrap()["manifest_path"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = std::path::PathBuf::from(manifest)
            .parent()
            .unwrap()
            .join("test.png");
        image::open(path).unwrap().to_rgb8()
    })
}

// ---------------------------------------------------------------------------------------------
// Corpus and randomness

/// The shared corpus of real files, when present (it is not in a fresh clone).
pub fn corpus_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// All files under `dir` (recursively) whose extension is one of `exts`, sorted.
pub fn files_under(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The JPEGs of the corpus, or an empty list with a note when there is no corpus.
pub fn corpus_jpegs() -> Vec<PathBuf> {
    match corpus_dir() {
        Some(dir) => files_under(&dir, &["jpg", "jpeg"]),
        None => {
            eprintln!("note: no ../shared/corpus; corpus checks skipped");
            Vec::new()
        }
    }
}

/// xorshift64*: deterministic, dependency-free pseudo-random numbers for mutation tests.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A fresh empty directory under the system temp dir for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sentinelle-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// PNG fixtures: the image crate's encoder plus chunks inserted with correct CRCs

pub const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A small RGB PNG of a colour gradient, encoded by the image crate (IHDR, IDAT..., IEND).
pub fn gradient_png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            ((x + y) * 7 % 256) as u8,
        ])
    });
    png_bytes(&img)
}

/// CRC-32 as PNG uses it, bit by bit (independent of the crate's table-driven one).
pub fn png_crc(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One chunk: length, type, data, CRC.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&png_crc(&v[4..]).to_be_bytes());
    v
}

/// Every chunk as (type, data, whole-chunk range), walked independently of the crate.
pub fn png_chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>, std::ops::Range<usize>)> {
    assert!(png.starts_with(PNG_SIGNATURE));
    let mut out = Vec::new();
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = png[at + 4..at + 8].try_into().unwrap();
        let end = at + 12 + len;
        out.push((kind, png[at + 8..at + 8 + len].to_vec(), at..end));
        at = end;
        if &kind == b"IEND" {
            break;
        }
    }
    out
}

/// The data of every IDAT chunk, in order.
pub fn png_idat(png: &[u8]) -> Vec<Vec<u8>> {
    png_chunks(png)
        .into_iter()
        .filter(|(k, _, _)| k == b"IDAT")
        .map(|(_, d, _)| d)
        .collect()
}

/// Inserts whole chunks right after the first `skip` chunks (1 = right after IHDR).
pub fn insert_png_chunks(png: &[u8], skip: usize, new: &[Vec<u8>]) -> Vec<u8> {
    let at = png_chunks(png)[skip - 1].2.end;
    let mut out = png[..at].to_vec();
    for c in new {
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&png[at..]);
    out
}

/// Inserts chunks just before IEND (where writers often put text).
pub fn insert_png_chunks_before_iend(png: &[u8], new: &[Vec<u8>]) -> Vec<u8> {
    let count = png_chunks(png).len();
    insert_png_chunks(png, count - 1, new)
}

pub fn text_chunk(keyword: &str, text: &[u8]) -> Vec<u8> {
    let mut data = keyword.as_bytes().to_vec();
    data.push(0);
    data.extend_from_slice(text);
    png_chunk(b"tEXt", &data)
}

pub fn ztxt_chunk(keyword: &str, text: &[u8]) -> Vec<u8> {
    let mut data = keyword.as_bytes().to_vec();
    data.extend_from_slice(&[0, 0]);
    data.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(text, 9));
    png_chunk(b"zTXt", &data)
}

pub fn itxt_chunk(keyword: &str, text: &str, compressed: bool) -> Vec<u8> {
    let mut data = keyword.as_bytes().to_vec();
    data.extend_from_slice(&[0, u8::from(compressed), 0]);
    data.extend_from_slice(b"en\0\0");
    if compressed {
        data.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(
            text.as_bytes(),
            9,
        ));
    } else {
        data.extend_from_slice(text.as_bytes());
    }
    png_chunk(b"iTXt", &data)
}

/// Decoded RGBA pixels of a PNG, or `None` when the decoder rejects it.
pub fn decode_png(png: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).ok()?;
    let rgba = img.to_rgba8();
    Some((rgba.width(), rgba.height(), rgba.into_raw()))
}

/// The PNGs of the corpus's exiftool test images, or an empty list with a note.
pub fn corpus_pngs() -> Vec<PathBuf> {
    match corpus_dir() {
        Some(dir) => files_under(&dir.join("exiftool"), &["png"]),
        None => {
            eprintln!("note: no ../shared/corpus; corpus checks skipped");
            Vec::new()
        }
    }
}

pub const AI_PARAMETERS: &str = "a portrait of Ann Example in her garden\nNegative prompt: blurry\nSteps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Model: sdxl";

/// A gradient PNG with colour chunks (kept on strip), eXIf (camera EXIF with GPS, given
/// orientation), XMP in iTXt, compressed and plain text, an AI prompt, tIME, C2PA, and a
/// JPEG appended after IEND.
pub fn full_png_fixture(orientation: u16) -> Vec<u8> {
    let base = gradient_png(48, 32);
    let mut iccp = b"Fake ICC\0\0".to_vec();
    iccp.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(
        &fake_icc_profile(),
        6,
    ));
    let png = insert_png_chunks(
        &base,
        1,
        &[
            png_chunk(b"gAMA", &45455u32.to_be_bytes()),
            png_chunk(b"iCCP", &iccp),
            png_chunk(
                b"eXIf",
                &camera_exif(orientation, orientation.is_multiple_of(2)),
            ),
            png_chunk(b"pHYs", &[0, 0, 11, 19, 0, 0, 11, 19, 1]),
        ],
    );
    let mut png = insert_png_chunks_before_iend(
        &png,
        &[
            itxt_chunk("XML:com.adobe.xmp", XMP_PACKET, false),
            ztxt_chunk("Comment", b"taken at Ann's house, 12 Example Street"),
            text_chunk("parameters", AI_PARAMETERS.as_bytes()),
            text_chunk("Author", b"Ann Example"),
            text_chunk("Creation Time", b"2024-05-01T12:34:56+02:00"),
            text_chunk("Software", b"FixtureWriter 1.0"),
            png_chunk(b"tIME", &[0x07, 0xE8, 5, 1, 10, 34, 56]),
            png_chunk(b"caBX", b"\0\0\0\x10jumbC2PA-manifest"),
        ],
    );
    png.extend_from_slice(&gradient_jpeg(16, 16));
    png
}

/// Where Debian's `libimage-exiftool-perl` puts exiftool, the independent oracle.
pub const EXIFTOOL: &str = "/usr/bin/exiftool";

/// exiftool's tags (`-j -G -a -n`) for the clean copy of each `(name, bytes)` original, in one
/// exiftool run, as `(name, tags)`. Originals the engine refuses are left out (their refusal is
/// tested elsewhere). `None`, with a note, when exiftool is not installed.
pub fn exiftool_tags_of_clean_copies(
    label: &str,
    extension: &str,
    originals: &[(String, Vec<u8>)],
) -> Option<Vec<(String, serde_json::Map<String, serde_json::Value>)>> {
    if !Path::new(EXIFTOOL).exists() {
        eprintln!("note: {EXIFTOOL} not installed; oracle check skipped");
        return None;
    }
    let dir = temp_dir(label);
    let mut cleaned = Vec::new();
    let mut names = Vec::new();
    for (i, (name, bytes)) in originals.iter().enumerate() {
        let Ok(clean) = sentinelle::strip_metadata(bytes) else {
            continue;
        };
        let out = dir.join(format!("{i:03}.{extension}"));
        std::fs::write(&out, clean).unwrap();
        cleaned.push(out);
        names.push(name.clone());
    }
    let out = std::process::Command::new(EXIFTOOL)
        .args(["-j", "-G", "-a", "-n"])
        .args(&cleaned)
        .output()
        .expect("exiftool runs");
    let after: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(after.len(), cleaned.len(), "one answer per clean copy");
    let _ = std::fs::remove_dir_all(&dir);
    Some(
        names
            .into_iter()
            .zip(after)
            .map(|(name, tags)| (name, tags.as_object().cloned().unwrap_or_default()))
            .collect(),
    )
}

/// What no clean copy may show exiftool, whatever its format: a GPS tag, an XMP group, or EXIF
/// beyond Orientation. Returns the `(group, tag)` pairs for the caller's own format checks.
pub fn assert_nothing_identifying(
    name: &str,
    tags: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for key in tags.keys() {
        let (group, tag) = key.split_once(':').unwrap_or(("", key));
        assert!(!tag.starts_with("GPS"), "{name}: {key} left");
        assert!(!group.starts_with("XMP"), "{name}: {key} left");
        if group == "EXIF" {
            assert_eq!(tag, "Orientation", "{name}: {key} left");
        }
        pairs.push((group.to_string(), tag.to_string()));
    }
    pairs
}

/// Overwrites 1..=4 bytes at random positions in `range` with random values, often 0xFF or
/// 0x00 since those are the bytes JPEG structure hinges on (and lengths and counts in the
/// other formats).
pub fn mutate(bytes: &[u8], range: std::ops::Range<usize>, rng: &mut XorShift) -> Vec<u8> {
    let mut m = bytes.to_vec();
    let changes = 1 + rng.below(4);
    for _ in 0..changes {
        let at = range.start + rng.below(range.len());
        m[at] = match rng.below(4) {
            0 => 0xFF,
            1 => 0x00,
            _ => rng.next() as u8,
        };
    }
    m
}

/// Runs both entry points; when cleaning succeeds, the copy must analyse clean and be stable.
pub fn exercise(bytes: &[u8], what: &str) {
    let _ = sentinelle::analyze(bytes);
    if let Ok(clean) = sentinelle::strip_metadata(bytes) {
        let a =
            sentinelle::analyze(&clean).unwrap_or_else(|e| panic!("{what}: clean copy fails: {e}"));
        assert!(
            a.findings.is_empty(),
            "{what}: clean copy has {:?}",
            a.findings
        );
        assert_eq!(
            sentinelle::strip_metadata(&clean).as_ref().ok(),
            Some(&clean),
            "{what}: cleaning a clean copy changed it"
        );
    }
}
