//! Alert severity: how serious an alert is.
use std::fmt;
use std::str::FromStr;

/// How serious an alert is, least serious first; escalation moves one step up.
///
/// Names are read case-insensitively, with the design's `low`/`medium`/`high` and the usual
/// short forms as aliases: `info`/`low`, `warning`/`warn`/`medium`, `error`/`err`,
/// `critical`/`crit`/`high`, `page`. Rules files, the rules API and the library all read them
/// with this one parser.
///
/// ```
/// use hwlog_core::Severity;
/// assert_eq!("high".parse::<Severity>(), Ok(Severity::Critical));
/// assert_eq!("Medium".parse::<Severity>(), Ok(Severity::Warning));
/// assert_eq!(Severity::Error.raised(), Severity::Critical);
/// assert!("urgent".parse::<Severity>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// For information.
    Info,
    /// Needs attention.
    Warning,
    /// Something is broken.
    Error,
    /// Broken and urgent.
    Critical,
    /// Wake someone up.
    Page,
}

impl Severity {
    /// All severities, least serious first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
        Severity::Page,
    ];

    /// One level up (a page stays a page).
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Warning,
            Severity::Warning => Severity::Error,
            Severity::Error => Severity::Critical,
            Severity::Critical | Severity::Page => Severity::Page,
        }
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
            Severity::Page => "page",
        }
    }

    /// Parses a name or alias (see the type's docs); `None` if it is neither.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "info" | "low" => Severity::Info,
            "warning" | "warn" | "medium" => Severity::Warning,
            "error" | "err" => Severity::Error,
            "critical" | "crit" | "high" => Severity::Critical,
            "page" => Severity::Page,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The text was not a severity name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSeverityError(String);

impl fmt::Display for ParseSeverityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown severity {:?}: use info (low), warning (medium), error, critical (high) or page",
            self.0
        )
    }
}

impl std::error::Error for ParseSeverityError {}

impl FromStr for Severity {
    type Err = ParseSeverityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut shown = s.to_string();
        if shown.len() > 64 {
            shown = shown.chars().take(64).collect();
        }
        Severity::parse(s).ok_or(ParseSeverityError(shown))
    }
}

/// The table every reader of severities is tested against.
pub const SEVERITY_CASES: &[(&str, Option<Severity>)] = &[
    ("info", Some(Severity::Info)),
    ("low", Some(Severity::Info)),
    ("WARNING", Some(Severity::Warning)),
    ("warn", Some(Severity::Warning)),
    ("medium", Some(Severity::Warning)),
    ("error", Some(Severity::Error)),
    ("high", Some(Severity::Critical)),
    ("critical", Some(Severity::Critical)),
    ("page", Some(Severity::Page)),
    ("urgent", None),
    ("", None),
];

#[cfg(feature = "serde")]
impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for &(t, want) in SEVERITY_CASES {
            assert_eq!(t.parse::<Severity>().ok(), want, "{t:?}");
        }
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
        }
    }
}
