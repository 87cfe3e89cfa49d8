use std::fmt;
use std::str::FromStr;

/// Severity of a record, from least to most severe.
///
/// `CRITICAL` is a real level above `ERROR`. Mapping from the ecosystem crates:
///
/// | `tracing` / `log` | hwlog |
/// |---|---|
/// | `TRACE` | `Trace` |
/// | `DEBUG` | `Debug` |
/// | `INFO` | `Info` |
/// | `WARN` | `Warning` |
/// | `ERROR` | `Error` |
/// | `ERROR` with field `critical = true` | `Critical` |
///
/// ```
/// use hwlog_core::Level;
/// assert!(Level::Critical > Level::Error);
/// assert_eq!("warn".parse::<Level>().unwrap(), Level::Warning);
/// assert_eq!(Level::Warning.as_str(), "WARNING");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Very fine-grained diagnostics.
    Trace = 0,
    /// Diagnostics for developers.
    Debug = 1,
    /// Normal operation.
    Info = 2,
    /// Something unexpected that the program handled.
    Warning = 3,
    /// An operation failed.
    Error = 4,
    /// The service or a host is in danger; someone must act now.
    Critical = 5,
}

impl Level {
    /// All levels, least severe first.
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warning,
        Level::Error,
        Level::Critical,
    ];

    /// Upper-case name: `TRACE`, `DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    /// Lower-case name, as used by the dashboard formatter (`log-warning`).
    pub const fn as_lower(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Critical => "critical",
        }
    }

    /// One-letter code used by the performance formatter (`T D I W E C`).
    pub const fn letter(self) -> u8 {
        match self {
            Level::Trace => b'T',
            Level::Debug => b'D',
            Level::Info => b'I',
            Level::Warning => b'W',
            Level::Error => b'E',
            Level::Critical => b'C',
        }
    }

    /// The level with this numeric value (0 = `Trace` … 5 = `Critical`).
    pub const fn from_u8(v: u8) -> Option<Level> {
        match v {
            0 => Some(Level::Trace),
            1 => Some(Level::Debug),
            2 => Some(Level::Info),
            3 => Some(Level::Warning),
            4 => Some(Level::Error),
            5 => Some(Level::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The text was not a level name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLevelError(pub String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown level {:?} (expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL)",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Case-insensitive; accepts `WARN` and `FATAL` as aliases.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_uppercase();
        Ok(match l.as_str() {
            "TRACE" => Level::Trace,
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARNING" | "WARN" => Level::Warning,
            "ERROR" => Level::Error,
            "CRITICAL" | "FATAL" => Level::Critical,
            _ => return Err(ParseLevelError(s.to_string())),
        })
    }
}
