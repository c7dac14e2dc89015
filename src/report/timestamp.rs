//! UTC time stamps in reports. The core has no clock: the caller (the extension, the CLI) reads
//! the time and passes it as an RFC 3339 string in UTC, which is checked here so every manifest
//! says the time the same way (`2026-11-23T14:05:09Z`, optional fraction of a second).

use crate::Error;

/// A checked UTC time, kept as the string the caller gave plus its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`. Offsets other than `Z` are refused: evidence is
/// easier to compare when every time is in one zone.
pub fn parse_utc(text: &str) -> Result<UtcTime, Error> {
    let bad = || {
        Error::invalid(format!(
            "time {text:?} is not a UTC time like 2026-11-23T14:05:09Z"
        ))
    };
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes.len() > 35 || !text.ends_with('Z') {
        return Err(bad());
    }
    let core = text.get(..19).ok_or_else(bad)?;
    let rest = text.get(19..text.len() - 1).ok_or_else(bad)?;
    if !(rest.is_empty()
        || (rest.len() >= 2
            && rest.starts_with('.')
            && rest.bytes().skip(1).all(|b| b.is_ascii_digit())))
    {
        return Err(bad());
    }
    let shape_ok = core.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        _ => b.is_ascii_digit(),
    });
    if !shape_ok {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u16, Error> {
        core.get(range).and_then(|s| s.parse().ok()).ok_or_else(bad)
    };
    let time = UtcTime {
        year: num(0..4)?,
        month: num(5..7)? as u8,
        day: num(8..10)? as u8,
        hour: num(11..13)? as u8,
        minute: num(14..16)? as u8,
        second: num(17..19)? as u8,
    };
    let leap = time.year.is_multiple_of(4)
        && (!time.year.is_multiple_of(100) || time.year.is_multiple_of(400));
    let days_in_month = match time.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if time.year < 2000
        || time.day == 0
        || time.day > days_in_month
        || time.hour > 23
        || time.minute > 59
        || time.second > 60
    {
        return Err(bad());
    }
    Ok(time)
}

/// Formats seconds since 1970 (UTC) as `YYYY-MM-DDTHH:MM:SSZ`; for callers that have a clock
/// (the CLI). Days to civil date after Howard Hinnant's `civil_from_days`.
pub fn format_unix_seconds(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let secs = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_utc_with_and_without_fraction() {
        let t = parse_utc("2026-11-23T14:05:09Z").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2026, 11, 23, 14, 5, 9)
        );
        assert!(parse_utc("2024-02-29T23:59:59.123Z").is_ok());
    }

    #[test]
    fn refuses_offsets_bad_dates_and_junk() {
        for bad in [
            "2026-11-23T14:05:09+01:00",
            "2026-11-23 14:05:09Z",
            "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T14:05:09.Z",
            "2026-11-23T14:05:09.1aZ",
            "1999-12-31T00:00:00Z",
            "",
            "ZZZZZZZZZZZZZZZZZZZZZZ",
            "２０２６-11-23T14:05:09Z",
        ] {
            assert!(parse_utc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_unix_seconds_and_round_trips() {
        assert_eq!(format_unix_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix_seconds(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_unix_seconds(1_795_442_709), "2026-11-23T14:05:09Z");
        assert!(parse_utc(&format_unix_seconds(1_795_442_709)).is_ok());
    }
}
