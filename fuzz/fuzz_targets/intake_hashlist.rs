//! Any text as a hash list to import: entries or an error naming a line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match sentinelle_intake::hashlist::parse(text) {
            Ok(entries) => assert!(entries.iter().all(|e| e.quality.is_none_or(|q| q <= 100))),
            Err(e) => assert!(e.starts_with("line ") || e.starts_with("more than")),
        }
    }
});
