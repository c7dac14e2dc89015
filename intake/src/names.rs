//! The names people give things here (users, API tokens, hash lists): shown on pages and in the
//! audit log, so one rule for all of them.

/// Longest name, in bytes.
pub const MAX_NAME: usize = 100;

/// Whether `name` can name a user, a token or a hash list: 1 to [`MAX_NAME`] bytes, no
/// control characters (a line break would forge a line in a log or an export).
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        assert!(is_plain_name("Alice (school team)"));
        assert!(!is_plain_name(""));
        assert!(!is_plain_name(&"x".repeat(MAX_NAME + 1)));
        assert!(!is_plain_name("a\nb"));
        assert!(is_plain_name(&"x".repeat(MAX_NAME)));
    }
}
