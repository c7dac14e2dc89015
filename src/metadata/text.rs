//! Turning untrusted bytes into short, safe, readable strings for findings.

/// Longest value shown to a person, in characters. Longer text is cut with an ellipsis: the
/// point is to show *that* something is there and what it looks like, not to dump it.
pub const MAX_VALUE_CHARS: usize = 200;

/// Decodes text leniently (invalid UTF-8 becomes U+FFFD), turns control characters and runs
/// of whitespace into single spaces, trims, and caps the length. `None` when nothing visible
/// is left, because an empty field gives nothing away.
pub fn clean_text(bytes: &[u8]) -> Option<String> {
    clean_str(&String::from_utf8_lossy(bytes))
}

/// [`clean_text`] for text that is already decoded.
pub fn clean_str(text: &str) -> Option<String> {
    // Most values are already clean (printable ASCII, single spaces inside, short): one copy.
    if is_clean_ascii(text) {
        return Some(text.to_string());
    }
    clean_str_by_char(text)
}

/// [`clean_str`] a character at a time: the general case.
fn clean_str_by_char(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = 0usize;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() || c == '\u{feff}' {
            pending_space = !out.is_empty();
            continue;
        }
        // The space before this character counts too (the fuzzer found a 202-character value
        // when both landed on the limit).
        if chars + 1 + usize::from(pending_space) > MAX_VALUE_CHARS {
            out.push('…');
            break;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        out.push(c);
        chars += 1;
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// Whether [`clean_str`] would return `text` unchanged because it is printable ASCII with no
/// space at either end, no two spaces in a row and at most [`MAX_VALUE_CHARS`] characters.
fn is_clean_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_VALUE_CHARS
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && bytes.iter().all(|&b| (b' '..=b'~').contains(&b))
        && !bytes.windows(2).any(|pair| pair == b"  ")
}

/// Sizes as people read them: "512 bytes", "4.2 kB", "1.3 MB" (powers of 1000).
pub fn human_size(bytes: usize) -> String {
    // f64 is exact for any length a file can have here (< 2^53).
    let n = bytes as f64;
    if bytes < 1000 {
        format!("{bytes} bytes")
    } else if n < 1_000_000.0 {
        format!("{:.1} kB", n / 1000.0)
    } else {
        format!("{:.1} MB", n / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_never_exceed_the_cap_plus_an_ellipsis() {
        for words in [1usize, 2, 3, 7] {
            let text: String = (0..400)
                .map(|i| if i % (words + 1) == words { ' ' } else { 'x' })
                .collect();
            let value = super::clean_str(&text).unwrap_or_default();
            assert!(
                value.chars().count() <= super::MAX_VALUE_CHARS + 1,
                "{words}: {}",
                value.chars().count()
            );
        }
    }

    use super::*;

    /// The one-copy path is taken only where the general one would give the text unchanged.
    #[test]
    fn clean_ascii_is_what_the_general_cleaning_leaves_unchanged() {
        let mut seed = 12345u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            seed >> 16
        };
        let alphabet = b"ab Z9~ \t\x7f\x01.-";
        for _ in 0..20_000 {
            let lengths = [0, 1, 2, 3, 10, 199, 200, 201, 250];
            let len = lengths
                .get(next() as usize % lengths.len())
                .copied()
                .unwrap_or(0);
            let text: String = (0..len)
                .filter_map(|_| alphabet.get(next() as usize % alphabet.len()))
                .map(|&b| char::from(b))
                .collect();
            let general = super::clean_str_by_char(&text);
            assert_eq!(
                super::is_clean_ascii(&text),
                general.as_deref() == Some(text.as_str()),
                "{text:?}"
            );
            assert_eq!(super::clean_str(&text), general, "{text:?}");
        }
        // Clean text at the cap and one past it (random draws almost never make one).
        for len in [199, 200, 201] {
            for text in ["x".repeat(len), format!("{} yz", "x".repeat(len - 3))] {
                let general = super::clean_str_by_char(&text);
                assert_eq!(super::clean_str(&text), general, "{len}");
                assert_eq!(
                    super::is_clean_ascii(&text),
                    len <= MAX_VALUE_CHARS,
                    "{len}"
                );
            }
        }
    }

    #[test]
    fn cleans_and_caps() {
        assert_eq!(clean_text(b"  Canon\0\0  "), Some("Canon".to_string()));
        assert_eq!(clean_text(b"a\r\n\tb"), Some("a b".to_string()));
        assert_eq!(clean_text(b"   \0 "), None);
        assert_eq!(clean_text(b"\xffok"), Some("\u{fffd}ok".to_string()));
        let long = "x".repeat(1000);
        let capped = clean_str(&long).unwrap_or_default();
        assert_eq!(capped.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(capped.ends_with('…'));
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(4200), "4.2 kB");
        assert_eq!(human_size(1_300_000), "1.3 MB");
    }
}
