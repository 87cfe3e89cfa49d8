//! The store's error type.
use std::fmt;

use rusqlite::ErrorCode;

/// Category of a store failure; see [`Error::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Any other database error (SQL error, constraint, misuse, …).
    Sqlite,
    /// The file is not a database, the database is damaged, or a stored row cannot be decoded
    /// (level out of range, malformed fields JSON, …).
    Corrupt,
    /// The database stayed locked by another connection for longer than the busy timeout.
    Locked,
    /// A table name is not an identifier (`^[A-Za-z_][A-Za-z0-9_]{0,62}$`) or is reserved.
    InvalidName,
    /// A query asked for something impossible (limit 0 or above the maximum, `since > until`).
    InvalidQuery,
    /// The operating system refused: cannot create the directory or open the file,
    /// permission denied, read-only file system.
    Io,
    /// No room: the disk is full, or the database reached its size limit
    /// ([`SqliteOptions::max_size_mb`](crate::SqliteOptions::max_size_mb)).
    Full,
    /// The database was written by a newer version of this crate (its schema version is
    /// higher than the versions this build knows).
    SchemaTooNew,
    /// The database server cannot be reached (connection refused or lost); retried with
    /// backoff on the next call.
    Unavailable,
    /// Any other error reported by PostgreSQL.
    Postgres,
}

impl ErrorKind {
    /// Short lower-case name of the category (`locked`, `corrupt`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Sqlite => "sqlite",
            ErrorKind::Corrupt => "corrupt",
            ErrorKind::Locked => "locked",
            ErrorKind::InvalidName => "invalid name",
            ErrorKind::InvalidQuery => "invalid query",
            ErrorKind::Io => "io",
            ErrorKind::Full => "full",
            ErrorKind::SchemaTooNew => "schema too new",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Postgres => "postgres",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A store error: a [`ErrorKind`], a message, and the underlying error when there is one.
///
/// ```
/// use hwlog_store::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::InvalidName, "bad table name \"x-y\"");
/// assert_eq!(e.kind(), ErrorKind::InvalidName);
/// assert_eq!(e.to_string(), "invalid name: bad table name \"x-y\"");
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error without an underlying cause.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// A new error caused by `source`.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error {
            kind,
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the category prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Adds context in front of the message (`opening /var/log/x.db: …`).
    pub(crate) fn context(mut self, what: impl fmt::Display) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The kind a SQLite result code belongs to.
fn kind_of_code(code: ErrorCode) -> ErrorKind {
    match code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => ErrorKind::Locked,
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => ErrorKind::Corrupt,
        ErrorCode::DiskFull => ErrorKind::Full,
        ErrorCode::CannotOpen
        | ErrorCode::SystemIoFailure
        | ErrorCode::ReadOnly
        | ErrorCode::PermissionDenied => ErrorKind::Io,
        _ => ErrorKind::Sqlite,
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        let kind = match &e {
            rusqlite::Error::SqliteFailure(f, _) => kind_of_code(f.code),
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..) => ErrorKind::Corrupt,
            _ => ErrorKind::Sqlite,
        };
        let message = match kind {
            ErrorKind::Locked => format!("database is locked (busy timeout expired): {e}"),
            _ => e.to_string(),
        };
        Error::with_source(kind, message, e)
    }
}

impl From<rusqlite::types::FromSqlError> for Error {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        Error::with_source(
            ErrorKind::Corrupt,
            format!("unexpected column value: {e}"),
            e,
        )
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
        let kind = match e.code() {
            None if e.is_closed() || io || e.to_string().contains("connect") => {
                ErrorKind::Unavailable
            }
            None => ErrorKind::Postgres,
            Some(c) if *c == SqlState::DISK_FULL || *c == SqlState::OUT_OF_MEMORY => {
                ErrorKind::Full
            }
            Some(c) if c.code().starts_with("08") || c.code().starts_with("57P") => {
                ErrorKind::Unavailable
            }
            Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => ErrorKind::Locked,
            Some(c) if *c == SqlState::DATA_CORRUPTED || *c == SqlState::INDEX_CORRUPTED => {
                ErrorKind::Corrupt
            }
            Some(_) => ErrorKind::Postgres,
        };
        let message = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => e.to_string(),
        };
        Error::with_source(kind, message, e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::with_source(ErrorKind::Io, e.to_string(), e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        let e = Error::from(busy);
        assert_eq!(e.kind(), ErrorKind::Locked);
        assert!(e.to_string().starts_with("locked: database is locked"));
        assert!(std::error::Error::source(&e).is_some());
        let notadb = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB);
        assert_eq!(
            Error::from(rusqlite::Error::SqliteFailure(notadb, None)).kind(),
            ErrorKind::Corrupt
        );
        let e = Error::new(ErrorKind::Io, "disk full").context("writing logs");
        assert_eq!(e.to_string(), "io: writing logs: disk full");
    }
}
