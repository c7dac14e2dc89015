//! The helpline intake: a program over the core that receives `sentinelle-report-1` reports,
//! checks their evidence bundles, finds duplicates and lets case workers triage them
//! (docs/intake.md).

pub mod api;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod clock;
pub mod db;
pub mod error;
pub mod evidence;
pub mod export;
pub mod hashlist;
pub mod pdq_index;
pub mod pdq_store;
pub mod report;
pub mod reports;
pub mod state;
pub mod url_norm;
