//! Reporting a page to a helpline: the evidence bundle the person keeps (files, a manifest
//! with their SHA-256, an Ed25519 signature by a key made on the device) and its verification.
//!
//! Everything here is pure: the caller supplies the time, the random seed of the key, and the
//! captured files. A bundle for a child-abuse report can hold no picture or page copy: the
//! builder refuses one and the verifier flags one.

pub mod bundle;
pub mod directory;
pub mod manifest;
pub mod notice;
pub mod receipt;
pub mod routing;
pub mod signing;
pub mod timestamp;
pub mod verify;

pub use bundle::{build_bundle, BundleRequest, FileSpec};
pub use directory::{Directory, Helpline, Situation};
pub use manifest::{Artefact, ArtefactKind, ImageRecord, Manifest};
pub use notice::{render_notices, Notice, NoticeRequest};
pub use receipt::{
    check_receipt_file, sign_receipt, verify_receipt, Receipt, ReceiptCheck, ReceiptFile,
    ReceiptProblem, RECEIPT_FILE_FORMAT, RECEIPT_FORMAT,
};
pub use routing::{route, EvidencePolicy, Reason, Route, RouteQuery};
pub use signing::{public_key_info, PublicKeyInfo};
pub use timestamp::{format_unix_seconds, parse_utc};
pub use verify::{bundle_file, verify_bundle, FileCheck, Problem, ProblemCode, Verification};
