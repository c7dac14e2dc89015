//! Any bytes: `strip_metadata` never panics, and whatever it returns is a clean, stable copy:
//! it analyses to zero findings and cleaning it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(clean) = sentinelle::strip_metadata(data) {
        let analysis = sentinelle::analyze(&clean).expect("a clean copy must analyse");
        assert!(
            analysis.findings.is_empty(),
            "left: {:?}",
            analysis.findings
        );
        assert_eq!(analysis.location, None);
        let again = sentinelle::strip_metadata(&clean).expect("a clean copy must strip");
        assert_eq!(again, clean, "stripping is not idempotent");
    }
});
