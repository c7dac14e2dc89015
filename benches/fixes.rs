//! What each fix costs on a phone's photos, against the decode of the same photo in the same run
//! (timings drift between machines; the ratio does not): `cargo bench --bench fixes`.
//!
//! Photos (made here from the group photo that ships in the rustface crate, JPEG quality 92):
//! a 12 MP and a 50 MP portrait (one face filling about a third of the height, as a selfie), and
//! the whole 28-face group photo at 12 MP. For each: the `image` crate's full decode (the
//! anchor), then blur the faces, crop them out, the lossless strip and the PDQ hash, each with
//! the median of its runs and the most heap it held at once (a counting allocator).
//! The photos are also written to `target/bench-photos/` for the CLI and the browser's
//! benchmark (`scripts/bench-fixes.mjs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes held now and the most held since the last reset.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = HELD.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Median time of `runs` calls, and the most heap held during them above what was held before.
fn measure<T>(runs: usize, mut job: impl FnMut() -> T) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut peak = 0;
    for _ in 0..runs {
        let before = HELD.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let start = Instant::now();
        black_box(job());
        times.push(start.elapsed());
        peak = peak.max(PEAK.load(Ordering::Relaxed) - before);
    }
    times.sort();
    (times[times.len() / 2], peak)
}

/// A `width`×`height` photo of the part `(x, y, w, h)` of the group photo, enlarged.
fn photo_of(part: (u32, u32, u32, u32), width: u32, height: u32) -> Vec<u8> {
    let (x, y, w, h) = part;
    let crop = image::imageops::crop_imm(common::group_photo(), x, y, w, h).to_image();
    let big = image::imageops::resize(&crop, width, height, image::imageops::FilterType::Triangle);
    common::jpeg_bytes(&big, 92)
}

fn main() {
    // Around one sitter's face (the same part the browser's warning-time benchmark enlarges).
    let face = (1190, 155, 240, 180);
    let photos = [
        ("portrait-12mp", photo_of(face, 4000, 3000)),
        ("portrait-50mp", photo_of(face, 8160, 6120)),
        ("group-12mp", photo_of((0, 0, 1666, 1136), 4000, 3000)),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-photos");
    std::fs::create_dir_all(&dir).unwrap();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mb = |b: usize| b as f64 / 1_048_576.0;
    for (name, jpeg) in &photos {
        std::fs::write(dir.join(format!("{name}.jpg")), jpeg).unwrap();
        let runs = if jpeg.len() > 10_000_000 { 3 } else { 5 };
        let (decode, decode_mem) = measure(runs, || {
            image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).unwrap()
        });
        println!(
            "{name} ({:.1} MB): full decode (anchor) {:.0} ms, {:.0} MB held",
            mb(jpeg.len()),
            ms(decode),
            mb(decode_mem)
        );
        let row = |what: &str, (time, mem): (Duration, usize)| {
            println!(
                "  {what:<12} {:>7.0} ms = {:>5.2}x the decode, {:>5.0} MB held",
                ms(time),
                time.as_secs_f64() / decode.as_secs_f64(),
                mb(mem)
            );
        };
        // The blur's parts: the thorough look for faces (from the file), and the encode.
        row(
            "  look",
            measure(runs, || {
                sentinelle::vision::detect_faces_with(jpeg, sentinelle::vision::Detail::Thorough)
                    .unwrap()
            }),
        );
        let rgb = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8();
        row(
            "  encode",
            measure(runs, || {
                sentinelle::vision::blur::encode_jpeg(
                    rgb.as_raw(),
                    rgb.width(),
                    rgb.height(),
                    None,
                    1,
                )
                .unwrap()
            }),
        );
        drop(rgb);
        let (_, report) = sentinelle::vision::blur_faces(jpeg).unwrap();
        println!("  {} face(s) blurred", report.faces.len());
        row(
            "blur-faces",
            measure(runs, || sentinelle::vision::blur_faces(jpeg).unwrap()),
        );
        row(
            "crop-faces",
            measure(runs, || sentinelle::vision::crop_faces(jpeg).ok()),
        );
        row(
            "strip",
            measure(runs, || sentinelle::strip_metadata(jpeg).unwrap()),
        );
        row(
            "pdq",
            measure(runs, || sentinelle::hash_image(jpeg).unwrap()),
        );
    }
}
