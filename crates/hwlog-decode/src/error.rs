//! Why a body or a record was refused.
use std::fmt;

/// A body or a record the decoders refused; its text is what clients are told.
///
/// ```
/// use hwlog_decode::{DecodeError, DecodeErrorKind};
/// let e = DecodeError::new(DecodeErrorKind::Invalid, "message is missing");
/// assert_eq!(e.kind(), DecodeErrorKind::Invalid);
/// assert_eq!(e.to_string(), "message is missing");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    kind: DecodeErrorKind,
    message: String,
}

/// What kind of [`DecodeError`] it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Not what the format allows (malformed, wrongly typed, a required part missing).
    Invalid,
    /// More records in one request than the limits allow (answered 413).
    TooMany,
    /// A record over a limit (fields, key size, nesting, total size).
    TooLarge,
    /// A timestamp outside the accepted window (older than retention, far future, not a
    /// time).
    Time,
}

impl DecodeError {
    /// An error of `kind` with the message clients are told.
    pub fn new(kind: DecodeErrorKind, message: impl Into<String>) -> DecodeError {
        DecodeError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Text from the decoders' own checks: the input is not what the format allows.
impl From<String> for DecodeError {
    fn from(message: String) -> Self {
        DecodeError::new(DecodeErrorKind::Invalid, message)
    }
}

/// A fixed text from the decoders' own checks: the input is not what the format allows.
impl From<&str> for DecodeError {
    fn from(message: &str) -> Self {
        DecodeError::new(DecodeErrorKind::Invalid, message)
    }
}
