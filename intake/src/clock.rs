//! The intake's clock (the core has none): milliseconds since 1970, UTC.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `2026-12-07T10:00:00Z` for a time in milliseconds.
pub fn utc(ms: i64) -> String {
    sentinelle::report::format_unix_seconds(u64::try_from(ms / 1000).unwrap_or(0))
}
