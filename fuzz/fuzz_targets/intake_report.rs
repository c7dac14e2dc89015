//! Any bytes as a report POSTed to the intake: parsed or refused with a field named, never a
//! panic; what is taken has a normalised web address and at most 64 images' keys. Any text as
//! an address: normalised or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sentinelle_intake::{report, url_norm};

fuzz_target!(|data: &[u8]| {
    match report::parse(data) {
        Ok((r, keys)) => {
            assert!(keys.page_url.starts_with("http://") || keys.page_url.starts_with("https://"));
            assert!(r.images.len() <= report::MAX_IMAGES);
            assert!(keys.pdq.len() <= r.images.len());
        }
        Err(e) => assert!(!e.field.is_empty()),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(n) = url_norm::normalise(text) {
            assert!(!n.contains('#'));
        }
    }
});
