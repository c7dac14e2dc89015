//! Any bytes: `hash_image` returns Ok or Err, never panics, and a hash it returns is well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(hashes) = sentinelle::hash_image(data) {
        assert_eq!(hashes.md5.len(), 32);
        assert_eq!(hashes.sha256.len(), 64);
        if let Some(pdq) = hashes.pdq {
            assert!(pdq.quality <= 100);
            assert_eq!(pdq.dihedral[0], pdq.hash);
            assert!(pdq.dihedral.iter().all(|h| h.len() == 64));
        }
    }
});
