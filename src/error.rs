//! Errors with stable codes.
//!
//! The extension branches on [`ErrorCode::as_str`], never on the message: messages are for people
//! and may be reworded, codes are a contract. Messages say whose fault it was (the file's, or a
//! limit the caller chose), never internal details.

use std::fmt;

use serde::Serialize;

/// What went wrong, as a stable machine-readable kind.
///
/// `#[non_exhaustive]` because new container formats will bring new kinds; callers must keep a
/// fallback arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The bytes are not a format this version handles (only JPEG, PNG and WebP so far).
    UnsupportedFormat,
    /// The file ends before its structure says it should.
    Truncated,
    /// The file's structure is inconsistent (bad marker, bad length, missing image data).
    Malformed,
    /// The input, or one part of it, is larger than the caller's [`crate::Limits`] allow.
    TooLarge,
    /// A request to the core is not well formed (a report without a URL, a bad time stamp).
    InvalidInput,
    /// The request would break a safety rule, e.g. a screenshot in a child-abuse report.
    Forbidden,
}

impl ErrorCode {
    /// The stable kebab-case code, e.g. `"unsupported-format"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::UnsupportedFormat => "unsupported-format",
            ErrorCode::Truncated => "truncated",
            ErrorCode::Malformed => "malformed",
            ErrorCode::TooLarge => "too-large",
            ErrorCode::InvalidInput => "invalid-input",
            ErrorCode::Forbidden => "forbidden",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from the core: a stable [`ErrorCode`] plus a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Builds an error; `message` should say what is wrong with the input, in plain words.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The stable kind of the error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn truncated(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Truncated, message)
    }

    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Malformed, message)
    }

    pub(crate) fn too_large(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::TooLarge, message)
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::UnsupportedFormat, message)
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Forbidden, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(ErrorCode::UnsupportedFormat.as_str(), "unsupported-format");
        assert_eq!(ErrorCode::Truncated.as_str(), "truncated");
        assert_eq!(ErrorCode::Malformed.as_str(), "malformed");
        assert_eq!(ErrorCode::TooLarge.as_str(), "too-large");
        assert_eq!(ErrorCode::InvalidInput.as_str(), "invalid-input");
        assert_eq!(ErrorCode::Forbidden.as_str(), "forbidden");
    }

    #[test]
    fn display_is_code_then_message() {
        let e = Error::truncated("the file is not a complete JPEG");
        assert_eq!(e.to_string(), "truncated: the file is not a complete JPEG");
        assert_eq!(e.code(), ErrorCode::Truncated);
        assert_eq!(e.message(), "the file is not a complete JPEG");
    }

    #[test]
    fn serializes_code_as_kebab() {
        let e = Error::too_large("x");
        let json = serde_json::to_string(&e).unwrap_or_default();
        assert_eq!(json, r#"{"code":"too-large","message":"x"}"#);
    }
}
