//! The helpline intake: a program over the core that receives `sentinelle-report-1` reports,
//! checks their evidence bundles, finds duplicates and lets case workers triage them
//! (docs/intake.md).
//!
//! The modules outside the `server` feature are pure (bytes in, values out), so the fuzz
//! targets can build them alone.

#[cfg(feature = "server")]
pub mod api;
#[cfg(feature = "server")]
pub mod audit;
#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod cases;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod evidence;
#[cfg(feature = "server")]
pub mod export;
pub mod hashlist;
pub mod names;
#[cfg(feature = "server")]
pub mod pages;
pub mod pdq_index;
#[cfg(feature = "server")]
pub mod pdq_store;
pub mod report;
#[cfg(feature = "server")]
pub mod reports;
#[cfg(feature = "server")]
pub mod state;
pub mod url_norm;
