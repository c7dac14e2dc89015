//! File digests for reports: MD5 (what StopNCII and Take It Down match videos by) and SHA-256
//! (what evidence bundles identify files by). Both over the exact bytes of the file.

use md5::{Digest, Md5};
use sha2::Sha256;

/// MD5 of `bytes`, 32 lowercase hex digits.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

/// SHA-256 of `bytes`, 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest
        .iter()
        .fold(String::with_capacity(digest.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
