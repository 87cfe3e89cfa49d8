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
            "unknown level {:?} (expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL, or an alias such as warn, err, fatal, notice)",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Case-insensitive names and the aliases other loggers and syslog use: `WARN`; `ERR`,
    /// `SEVERE` (java.util.logging); `FATAL`, `CRIT`, `ALERT`, `EMERG`, `EMERGENCY`, `PANIC`
    /// (syslog, Go); `NOTICE`, `INFORMATION`, `INF`; `DBG`. Every reader of level names in
    /// hwlog (config, HTTP ingest, query parameters, the live stream, rules, file sources,
    /// OTLP `severityText`) uses this.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_uppercase();
        Ok(match l.as_str() {
            "TRACE" => Level::Trace,
            "DEBUG" | "DBG" => Level::Debug,
            "INFO" | "INFORMATION" | "INF" | "NOTICE" => Level::Info,
            "WARNING" | "WARN" => Level::Warning,
            "ERROR" | "ERR" | "SEVERE" => Level::Error,
            "CRITICAL" | "CRIT" | "FATAL" | "ALERT" | "EMERG" | "EMERGENCY" | "PANIC" => {
                Level::Critical
            }
            _ => {
                let shown: String = s.chars().take(64).collect();
                return Err(ParseLevelError(shown));
            }
        })
    }
}

impl Level {
    /// The level of a syslog severity (RFC 5424 section 6.2.1: 0 Emergency … 7 Debug):
    /// 0–2 `Critical`, 3 `Error`, 4 `Warning`, 5–6 `Info`, 7 `Debug`.
    ///
    /// ```
    /// use hwlog_core::Level;
    /// assert_eq!(Level::from_syslog_severity(3), Some(Level::Error));
    /// assert_eq!(Level::from_syslog_severity(8), None);
    /// ```
    pub const fn from_syslog_severity(sev: u8) -> Option<Level> {
        Some(match sev {
            0..=2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warning,
            5 | 6 => Level::Info,
            7 => Level::Debug,
            _ => return None,
        })
    }

    /// The level of an OpenTelemetry `SeverityNumber` (1–4 TRACE … 21–24 FATAL); `None` for
    /// 0 (unspecified) and numbers outside 1..=24.
    ///
    /// ```
    /// use hwlog_core::Level;
    /// assert_eq!(Level::from_otel_severity(17), Some(Level::Error));
    /// assert_eq!(Level::from_otel_severity(0), None);
    /// ```
    pub const fn from_otel_severity(n: i32) -> Option<Level> {
        Some(match n {
            1..=4 => Level::Trace,
            5..=8 => Level::Debug,
            9..=12 => Level::Info,
            13..=16 => Level::Warning,
            17..=20 => Level::Error,
            21..=24 => Level::Critical,
            _ => return None,
        })
    }
}

/// The table every reader of level names is tested against: (text, level or `None`).
pub const LEVEL_CASES: &[(&str, Option<Level>)] = &[
    ("TRACE", Some(Level::Trace)),
    ("debug", Some(Level::Debug)),
    ("dbg", Some(Level::Debug)),
    ("info", Some(Level::Info)),
    ("Information", Some(Level::Info)),
    ("notice", Some(Level::Info)),
    ("warn", Some(Level::Warning)),
    ("WARNING", Some(Level::Warning)),
    ("error", Some(Level::Error)),
    ("err", Some(Level::Error)),
    ("severe", Some(Level::Error)),
    ("critical", Some(Level::Critical)),
    ("crit", Some(Level::Critical)),
    ("fatal", Some(Level::Critical)),
    ("alert", Some(Level::Critical)),
    ("emerg", Some(Level::Critical)),
    ("panic", Some(Level::Critical)),
    ("verbose", None),
    ("", None),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        for &(t, want) in LEVEL_CASES {
            assert_eq!(t.parse::<Level>().ok(), want, "{t:?}");
        }
        for l in Level::ALL {
            assert_eq!(l.as_str().parse::<Level>(), Ok(l));
            assert_eq!(l.as_lower().parse::<Level>(), Ok(l));
        }
    }
}
