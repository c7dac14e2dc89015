//! An intake's receipt for a report: the helpline's signature over the report's SHA-256 and
//! the time it received it.
//!
//! The device's own signature on an evidence bundle cannot prove *when* anything happened (the
//! device sets its clock). A receipt is a third party's word: the intake that received the
//! report signs, with its own Ed25519 key, the SHA-256 of the exact bytes it received and its
//! clock's time. The person keeps it; anyone holding the report's bytes (or just their SHA-256)
//! and the receipt can check it offline. Pure: the caller gives the key seed and the time.

use serde::{Deserialize, Serialize};

use super::signing::{self, SignatureProblem, ALGORITHM};
use super::timestamp::{format_unix_seconds, parse_utc};
use crate::{sha256_hex, Error};

/// The receipt's format name.
pub const RECEIPT_FORMAT: &str = "sentinelle-receipt-1";

/// What an intake answers, and what the person keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// The intake's id for the report.
    pub report_id: String,
    /// SHA-256 of the report's exact bytes, lowercase hex.
    pub report_sha256: String,
    /// When the intake received it, UTC, whole seconds (`2026-12-07T10:00:00Z`).
    pub received_at: String,
    /// Always `"Ed25519"`.
    pub algorithm: String,
    /// The intake's public key, base64 (32 bytes).
    pub public_key: String,
    /// Its fingerprint, as bundles write a device's (first 16 bytes of SHA-256, hex in fours).
    pub key_fingerprint: String,
    /// Signature over [`Receipt::signed_text`], base64 (64 bytes).
    pub signature: String,
}

impl Receipt {
    /// The exact bytes signed: the format, the report's id, its SHA-256 and the time, one per
    /// line. Nothing else, so a checker never has to canonicalise JSON.
    pub fn signed_text(&self) -> String {
        signed_text(&self.report_id, &self.report_sha256, &self.received_at)
    }
}

fn signed_text(report_id: &str, report_sha256: &str, received_at: &str) -> String {
    format!("{RECEIPT_FORMAT}\n{report_id}\n{report_sha256}\n{received_at}\n")
}

/// Signs a receipt for the report `report_bytes` received at `received_unix` (seconds) and
/// given the id `report_id`, with the intake's key made from `seed` (32 bytes).
pub fn sign_receipt(
    seed: &[u8],
    report_id: &str,
    report_bytes: &[u8],
    received_unix: u64,
) -> Result<Receipt, Error> {
    if report_id.is_empty() || report_id.len() > 64 || report_id.contains(['\n', '\r']) {
        return Err(Error::invalid(
            "a report id is 1 to 64 characters on one line",
        ));
    }
    let key = signing::signing_key(seed)?;
    let info = signing::describe(&key.verifying_key());
    let report_sha256 = sha256_hex(report_bytes);
    let received_at = format_unix_seconds(received_unix);
    let signature = signing::sign(
        &key,
        signed_text(report_id, &report_sha256, &received_at).as_bytes(),
    );
    Ok(Receipt {
        format: RECEIPT_FORMAT.to_owned(),
        report_id: report_id.to_owned(),
        report_sha256,
        received_at,
        algorithm: ALGORITHM.to_owned(),
        public_key: info.public_key,
        key_fingerprint: info.fingerprint,
        signature,
    })
}

/// Why a receipt does not check out (stable codes, as bundle problems).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReceiptProblem {
    /// Not a `sentinelle-receipt-1`, a bad time, or an unreadable key or signature.
    ReceiptInvalid,
    /// The fingerprint is not the public key's.
    KeyMismatch,
    /// The signature does not match: the receipt was edited.
    SignatureInvalid,
    /// The receipt is genuine but for other bytes than the report given.
    ReportMismatch,
    /// The report named another evidence file than the bundle given (or none).
    BundleMismatch,
}

/// Checks a receipt's signature, and, when `report_bytes` is given, that it is the receipt of
/// those bytes. `Ok(())` means the intake holding that key signed exactly this.
pub fn verify_receipt(
    receipt: &Receipt,
    report_bytes: Option<&[u8]>,
) -> Result<(), ReceiptProblem> {
    let well_formed = receipt.format == RECEIPT_FORMAT
        && parse_utc(&receipt.received_at).is_ok()
        && receipt.report_sha256.len() == 64
        && receipt
            .report_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && !receipt.report_id.contains(['\n', '\r']);
    if !well_formed {
        return Err(ReceiptProblem::ReceiptInvalid);
    }
    match signing::fingerprint_of(&receipt.public_key) {
        None => return Err(ReceiptProblem::ReceiptInvalid),
        Some(f) if f != receipt.key_fingerprint => return Err(ReceiptProblem::KeyMismatch),
        Some(_) => {}
    }
    signing::verify(
        &receipt.algorithm,
        &receipt.public_key,
        &receipt.signature,
        receipt.signed_text().as_bytes(),
    )
    .map_err(|p| match p {
        SignatureProblem::Unreadable => ReceiptProblem::ReceiptInvalid,
        SignatureProblem::Mismatch => ReceiptProblem::SignatureInvalid,
    })?;
    match report_bytes {
        Some(bytes) if sha256_hex(bytes) != receipt.report_sha256 => {
            Err(ReceiptProblem::ReportMismatch)
        }
        _ => Ok(()),
    }
}

/// The file a person keeps after sending a report: the exact report text sent, the intake's
/// address, and its receipt. With it and the evidence bundle, anyone can check offline that this
/// helpline received, at that time, a report naming that bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptFile {
    /// Always [`RECEIPT_FILE_FORMAT`].
    pub format: String,
    /// Where the report was sent.
    pub intake: String,
    /// The report's exact text, as sent (its SHA-256 is what the receipt signs).
    pub report: String,
    pub receipt: Receipt,
}

/// The kept file's format name.
pub const RECEIPT_FILE_FORMAT: &str = "sentinelle-receipt-file-1";

/// Largest receipt file read (the report is at most 256 KiB).
pub const MAX_RECEIPT_FILE_BYTES: usize = 1024 * 1024;

/// What a receipt file says, and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptCheck {
    /// True when nothing is wrong.
    pub valid: bool,
    /// Everything wrong (empty when valid).
    pub problems: Vec<ReceiptProblem>,
    /// Where the report was sent.
    pub intake: String,
    /// The intake's id for the report.
    pub report_id: String,
    /// When the intake says it received it.
    pub received_at: String,
    /// The intake key's fingerprint.
    pub key_fingerprint: String,
    /// The evidence file's manifest SHA-256 the report named, if it named one.
    pub evidence_manifest_sha256: Option<String>,
}

/// Checks a kept receipt file and, when `bundle_manifest_sha256` is given (the SHA-256 of the
/// bundle's `manifest.json`), that the report named that bundle. `Err` (`malformed`,
/// `too-large`) when the bytes are not a receipt file at all.
pub fn check_receipt_file(
    bytes: &[u8],
    bundle_manifest_sha256: Option<&str>,
) -> Result<ReceiptCheck, Error> {
    if bytes.len() > MAX_RECEIPT_FILE_BYTES {
        return Err(Error::new(
            crate::ErrorCode::TooLarge,
            "a receipt file is at most 1 MiB",
        ));
    }
    let file: ReceiptFile = serde_json::from_slice(bytes).map_err(|e| {
        Error::new(
            crate::ErrorCode::Malformed,
            format!("not a Sentinelle receipt file ({e})"),
        )
    })?;
    let mut problems = Vec::new();
    if file.format != RECEIPT_FILE_FORMAT {
        problems.push(ReceiptProblem::ReceiptInvalid);
    }
    if let Err(p) = verify_receipt(&file.receipt, Some(file.report.as_bytes())) {
        problems.push(p);
    }
    let named = serde_json::from_str::<serde_json::Value>(&file.report)
        .ok()
        .and_then(|r| {
            r.get("evidence")?
                .get("manifest_sha256")?
                .as_str()
                .map(str::to_ascii_lowercase)
        });
    if let Some(bundle) = bundle_manifest_sha256 {
        if named.as_deref() != Some(bundle.to_ascii_lowercase().as_str()) {
            problems.push(ReceiptProblem::BundleMismatch);
        }
    }
    problems.sort();
    problems.dedup();
    Ok(ReceiptCheck {
        valid: problems.is_empty(),
        problems,
        intake: file.intake,
        report_id: file.receipt.report_id,
        received_at: file.receipt.received_at,
        key_fingerprint: file.receipt.key_fingerprint,
        evidence_manifest_sha256: named,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SEED: [u8; 32] = [7; 32];
    const REPORT: &[u8] = br#"{"format":"sentinelle-report-1"}"#;

    #[test]
    fn a_signed_receipt_verifies_against_its_report_only() {
        let r = sign_receipt(&SEED, "r1", REPORT, 1_796_000_000).unwrap();
        assert_eq!(r.received_at, format_unix_seconds(1_796_000_000));
        assert_eq!(verify_receipt(&r, Some(REPORT)), Ok(()));
        assert_eq!(verify_receipt(&r, None), Ok(()));
        assert_eq!(
            verify_receipt(&r, Some(b"other")),
            Err(ReceiptProblem::ReportMismatch)
        );
    }

    #[test]
    fn every_edited_field_is_caught() {
        let good = sign_receipt(&SEED, "r1", REPORT, 1_796_000_000).unwrap();
        let other_key = sign_receipt(&[8; 32], "r1", REPORT, 1_796_000_000).unwrap();
        let cases: Vec<(Receipt, ReceiptProblem)> = vec![
            (
                Receipt {
                    received_at: format_unix_seconds(1_796_000_001),
                    ..good.clone()
                },
                ReceiptProblem::SignatureInvalid,
            ),
            (
                Receipt {
                    report_id: "r2".into(),
                    ..good.clone()
                },
                ReceiptProblem::SignatureInvalid,
            ),
            (
                Receipt {
                    report_sha256: sha256_hex(b"x"),
                    ..good.clone()
                },
                ReceiptProblem::SignatureInvalid,
            ),
            (
                Receipt {
                    public_key: other_key.public_key.clone(),
                    ..good.clone()
                },
                ReceiptProblem::KeyMismatch,
            ),
            (
                Receipt {
                    public_key: other_key.public_key.clone(),
                    key_fingerprint: other_key.key_fingerprint.clone(),
                    ..good.clone()
                },
                ReceiptProblem::SignatureInvalid,
            ),
            (
                Receipt {
                    received_at: "yesterday".into(),
                    ..good.clone()
                },
                ReceiptProblem::ReceiptInvalid,
            ),
            (
                Receipt {
                    signature: "AAAA".into(),
                    ..good.clone()
                },
                ReceiptProblem::ReceiptInvalid,
            ),
            (
                Receipt {
                    format: "other".into(),
                    ..good.clone()
                },
                ReceiptProblem::ReceiptInvalid,
            ),
        ];
        for (receipt, want) in cases {
            assert_eq!(verify_receipt(&receipt, None), Err(want), "{receipt:?}");
        }
    }

    fn kept(report: &str, receipt: &Receipt) -> Vec<u8> {
        serde_json::to_vec(&ReceiptFile {
            format: RECEIPT_FILE_FORMAT.into(),
            intake: "https://intake.example/v1/reports".into(),
            report: report.into(),
            receipt: receipt.clone(),
        })
        .unwrap()
    }

    #[test]
    fn a_kept_receipt_file_links_the_report_to_its_evidence() {
        let manifest_sha = "ab".repeat(32);
        let report = format!(
            r#"{{"format":"sentinelle-report-1","evidence":{{"manifest_sha256":"{manifest_sha}"}}}}"#
        );
        let receipt = sign_receipt(&SEED, "r1", report.as_bytes(), 1_796_000_000).unwrap();
        let check = check_receipt_file(&kept(&report, &receipt), Some(&manifest_sha)).unwrap();
        assert!(check.valid, "{check:?}");
        assert_eq!(
            check.evidence_manifest_sha256.as_deref(),
            Some(manifest_sha.as_str())
        );
        assert_eq!(check.report_id, "r1");
        // Another bundle; an edited report; a report without evidence and a bundle given.
        let other = check_receipt_file(&kept(&report, &receipt), Some(&"cd".repeat(32))).unwrap();
        assert_eq!(other.problems, vec![ReceiptProblem::BundleMismatch]);
        let edited = report.replace("ab", "cd");
        let check = check_receipt_file(&kept(&edited, &receipt), None).unwrap();
        assert_eq!(check.problems, vec![ReceiptProblem::ReportMismatch]);
        let plain = r#"{"format":"sentinelle-report-1","evidence":null}"#;
        let receipt = sign_receipt(&SEED, "r2", plain.as_bytes(), 1_796_000_000).unwrap();
        assert!(
            check_receipt_file(&kept(plain, &receipt), None)
                .unwrap()
                .valid
        );
        assert_eq!(
            check_receipt_file(&kept(plain, &receipt), Some(&manifest_sha))
                .unwrap()
                .problems,
            vec![ReceiptProblem::BundleMismatch]
        );
        assert!(check_receipt_file(b"{}", None).is_err());
        assert!(check_receipt_file(&vec![b' '; MAX_RECEIPT_FILE_BYTES + 1], None).is_err());
    }

    #[test]
    fn ids_on_more_than_one_line_are_refused() {
        assert!(sign_receipt(&SEED, "a\nb", REPORT, 0).is_err());
        assert!(sign_receipt(&SEED, "", REPORT, 0).is_err());
        assert!(sign_receipt(&[0; 31], "a", REPORT, 0).is_err());
    }
}
