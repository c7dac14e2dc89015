//! Any bytes as an evidence bundle: `verify_bundle` returns a verdict or an error, never panics;
//! a verdict is valid only with no problems.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = sentinelle::report::verify_bundle(data) {
        assert_eq!(v.valid, v.problems.is_empty());
        if v.valid {
            assert!(v.manifest.is_some());
        }
    }
});
