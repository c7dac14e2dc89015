//! A file that claims enormous dimensions is refused as `too-large` from its header, before any
//! pixel memory is allocated. A counting allocator watches the largest single allocation made
//! while the core looks at the file. One test only in this binary, so nothing else allocates
//! meanwhile.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use sentinelle::{hash_image, ErrorCode};

struct Watching;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only records sizes.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A real PNG whose header is rewritten to claim `width × height` (with a valid checksum).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_bytes(&photo_like(8, 8, 1));
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// A real JPEG whose frame header is rewritten to claim `width × height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = jpeg_bytes(&photo_like(16, 16, 1), 80);
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // Marker (2), length (2), precision (1), then height and width.
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

#[test]
fn huge_claims_are_refused_before_allocating() {
    // The watcher works: a real 800×600 image needs its pixels (1.4 MB) and luma (1.9 MB).
    let real = png_bytes(&photo_like(800, 600, 1));
    LARGEST.store(0, Ordering::Relaxed);
    assert!(hash_image(&real).is_ok());
    assert!(LARGEST.load(Ordering::Relaxed) >= 800 * 600 * 4);

    let cases = [
        ("PNG 100000x100000", png_claiming(100_000, 100_000)),
        ("PNG 20000x10", png_claiming(20_000, 10)),
        // Within the side limit, but 768 MB of pixels: over the 512 MiB decode budget.
        ("PNG 16000x16000", png_claiming(16_000, 16_000)),
        ("JPEG 65535x65535", jpeg_claiming(65_535, 65_535)),
        ("JPEG 16000x16000", jpeg_claiming(16_000, 16_000)),
    ];
    for (what, bytes) in cases {
        LARGEST.store(0, Ordering::Relaxed);
        let result = hash_image(&bytes);
        let largest = LARGEST.load(Ordering::Relaxed);
        let err = result.expect_err(what);
        assert_eq!(err.code(), ErrorCode::TooLarge, "{what}: {err}");
        // The file itself is copied once by the JPEG decoder; nothing near pixel size.
        assert!(
            largest < 1024 * 1024,
            "{what}: allocated {largest} bytes at once"
        );
    }
}
