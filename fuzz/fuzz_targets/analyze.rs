//! Any bytes: `analyze` returns Ok or Err, never panics, and stays within its limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(analysis) = sentinelle::analyze(data) {
        let limits = sentinelle::Limits::default();
        assert!(analysis.findings.len() <= limits.max_findings);
        for finding in &analysis.findings {
            // Values are capped at ~200 characters plus an ellipsis.
            assert!(finding.value.chars().count() <= 201);
        }
        if let Some(p) = analysis.location {
            assert!(p.latitude.abs() <= 90.0 && p.longitude.abs() <= 180.0);
        }
    }
});
