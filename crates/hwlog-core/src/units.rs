//! Durations and sizes written as text: the one parser every config file, rules file, rule
//! expression, API body, query parameter and CLI flag of hwlog uses.
//!
//! A **duration** is one or more `<number><unit>` parts (`5m`, `1.5s`, `1h30m`, `250 ms`);
//! units are `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, `d`, `w` and their long names (`sec`,
//! `min`, `hours`, `days` …), case-insensitive. A bare number has no unit and is refused here:
//! each caller says what a bare number means where it reads one (and documents it).
//!
//! A **size** is a number and an optional unit: `B`, `K`/`KB`/`KiB`, `M`/`MB`/`MiB`, `G`…,
//! `T`…; all are powers of 1024 (as log4rs and logrotate read them); no unit means bytes.
//!
//! ```
//! use std::time::Duration;
//! use hwlog_core::units::{parse_duration, parse_size};
//! assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
//! assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
//! assert_eq!(parse_duration("250µs"), Ok(Duration::from_micros(250)));
//! assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
//! assert!(parse_duration("300").is_err());
//! assert_eq!(parse_size("64KB"), Ok(65_536));
//! ```
use std::fmt;
use std::time::Duration;

/// What was wrong with a duration or size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnitErrorKind {
    /// Empty text, or no number where one was expected.
    NoNumber,
    /// A number without a unit (durations need one).
    NoUnit,
    /// A unit this parser does not know.
    UnknownUnit,
    /// Negative, not finite, or too large to represent.
    OutOfRange,
}

/// A duration or size that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitError {
    kind: UnitErrorKind,
    what: &'static str,
    input: String,
}

impl UnitError {
    fn new(kind: UnitErrorKind, what: &'static str, input: &str) -> UnitError {
        let mut input = input.to_string();
        if input.len() > 64 {
            let mut cut = 64;
            while !input.is_char_boundary(cut) {
                cut -= 1;
            }
            input.truncate(cut);
            input.push('…');
        }
        UnitError { kind, what, input }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> UnitErrorKind {
        self.kind
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = if self.what == "duration" {
            "e.g. 500ms, 30s, 5m, 1h30m, 1d (units ns, us, ms, s, m, h, d, w)"
        } else {
            "e.g. 1048576, 64KB, 100MiB, 1G"
        };
        let why = match self.kind {
            UnitErrorKind::NoNumber => "no number",
            UnitErrorKind::NoUnit => "no unit",
            UnitErrorKind::UnknownUnit => "unknown unit",
            UnitErrorKind::OutOfRange => "out of range",
        };
        write!(f, "invalid {} {:?} ({why}; {hint})", self.what, self.input)
    }
}

impl std::error::Error for UnitError {}

/// Nanoseconds in one `unit` (case-insensitive), or `None` if it is not a duration unit.
///
/// ```
/// assert_eq!(hwlog_core::units::duration_unit_nanos("ms"), Some(1_000_000));
/// assert_eq!(hwlog_core::units::duration_unit_nanos("Minutes"), Some(60_000_000_000));
/// ```
pub fn duration_unit_nanos(unit: &str) -> Option<u64> {
    const S: u64 = 1_000_000_000;
    let u = unit.to_lowercase();
    Some(match u.as_str() {
        "ns" | "nsec" | "nanos" | "nanosecond" | "nanoseconds" => 1,
        "us" | "µs" | "μs" | "usec" | "micros" | "microsecond" | "microseconds" => 1_000,
        "ms" | "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => 1_000_000,
        "s" | "sec" | "secs" | "second" | "seconds" => S,
        "m" | "min" | "mins" | "minute" | "minutes" => 60 * S,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600 * S,
        "d" | "day" | "days" => 86_400 * S,
        "w" | "week" | "weeks" => 7 * 86_400 * S,
        _ => return None,
    })
}

/// Splits `<number><rest>` at the end of the number (digits, `.`, `_` separators).
fn number(t: &str) -> Option<(f64, &str)> {
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, rest) = t.split_at(end);
    if !num.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let num: String = num.chars().filter(|&c| c != '_').collect();
    Some((num.parse().ok()?, rest))
}

/// Parses a duration: `5m`, `1.5s`, `250 ms`, `1h30m`, `2d`, `100µs`. See the module docs.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let err = |k| UnitError::new(k, "duration", text);
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(err(UnitErrorKind::NoNumber));
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let (n, after) = number(rest).ok_or_else(|| err(UnitErrorKind::NoNumber))?;
        let after = after.trim_start();
        let unit_end = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let (unit, tail) = after.split_at(unit_end);
        if unit.is_empty() {
            return Err(err(UnitErrorKind::NoUnit));
        }
        let per = duration_unit_nanos(unit).ok_or_else(|| err(UnitErrorKind::UnknownUnit))?;
        let ns = n * per as f64;
        if !ns.is_finite() || ns >= u64::MAX as f64 {
            return Err(err(UnitErrorKind::OutOfRange));
        }
        total += ns.round() as u128;
        rest = tail.trim_start();
    }
    let total = u64::try_from(total).map_err(|_| err(UnitErrorKind::OutOfRange))?;
    Ok(Duration::from_nanos(total))
}

/// Parses a size in bytes: `1048576`, `64KB`, `100 MiB`, `1.5G`. See the module docs.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let err = |k| UnitError::new(k, "size", text);
    let t = text.trim();
    let (n, unit) = number(t).ok_or_else(|| err(UnitErrorKind::NoNumber))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(err(UnitErrorKind::UnknownUnit)),
    };
    let bytes = n * mult as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(err(UnitErrorKind::OutOfRange));
    }
    Ok(bytes as u64)
}

/// The table every reader of durations is tested against: (text, nanoseconds or `None` when
/// refused).
pub const DURATION_CASES: &[(&str, Option<u64>)] = &[
    ("5m", Some(300_000_000_000)),
    ("1d", Some(86_400_000_000_000)),
    ("2h", Some(7_200_000_000_000)),
    ("30s", Some(30_000_000_000)),
    ("1.5s", Some(1_500_000_000)),
    ("250ms", Some(250_000_000)),
    ("250µs", Some(250_000)),
    ("250us", Some(250_000)),
    ("10ns", Some(10)),
    ("1h30m", Some(5_400_000_000_000)),
    ("1w", Some(604_800_000_000_000)),
    ("5min", Some(300_000_000_000)),
    ("5x", None),
    ("m", None),
    ("-5m", None),
    ("", None),
];

/// The table every reader of sizes is tested against: (text, bytes or `None` when refused).
pub const SIZE_CASES: &[(&str, Option<u64>)] = &[
    ("1048576", Some(1 << 20)),
    ("64KB", Some(64 << 10)),
    ("64KiB", Some(64 << 10)),
    ("100 MiB", Some(100 << 20)),
    ("1G", Some(1 << 30)),
    ("1.5g", Some(3 << 29)),
    ("2T", Some(2 << 40)),
    ("10 parsecs", None),
    ("-1", None),
    ("MB", None),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for &(t, want) in DURATION_CASES {
            let got = parse_duration(t).ok().map(|d| d.as_nanos() as u64);
            assert_eq!(got, want, "{t:?}");
        }
        assert_eq!(parse_duration(" 250 ms "), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5M"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1_000ms"), Ok(Duration::from_secs(1)));
        assert_eq!(
            parse_duration("300").unwrap_err().kind(),
            UnitErrorKind::NoUnit
        );
        assert_eq!(
            parse_duration("99999999999999d").unwrap_err().kind(),
            UnitErrorKind::OutOfRange
        );
        assert_eq!(
            parse_duration("1e9s").unwrap_err().kind(),
            UnitErrorKind::UnknownUnit
        );
        let e = parse_duration(&"9".repeat(10_000)).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn size_table() {
        for &(t, want) in SIZE_CASES {
            assert_eq!(parse_size(t).ok(), want, "{t:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64KB"), Ok(64 << 10));
        assert_eq!(parse_size("100 MiB"), Ok(100 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2T"), Ok(2 << 40));
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}

/// Serde support for durations held as integer nanoseconds (`i64`) in API bodies: a string is
/// read as a duration (`"5m"`, `"1h30m"`), as rules files write it; an integer stays
/// nanoseconds. Use with `#[serde(deserialize_with = "hwlog_core::units::serde_nanos::deserialize")]`
/// (or `…::option` for an `Option<i64>`).
#[cfg(feature = "serde")]
pub mod serde_nanos {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Nanos;

    impl Visitor<'_> for Nanos {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a duration such as \"5m\" or \"1h30m\", or a whole number of nanoseconds")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom(format!("{v} nanoseconds is too long")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            let d = super::parse_duration(v).map_err(E::custom)?;
            i64::try_from(d.as_nanos()).map_err(|_| E::custom(format!("{v:?} is too long")))
        }
    }

    /// Reads an `i64` of nanoseconds from an integer or a duration string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(Nanos)
    }

    /// As [`deserialize`], for an optional duration (`null` is `None`).
    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        struct Opt;
        impl<'de> Visitor<'de> for Opt {
            type Value = Option<i64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration, a number of nanoseconds, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                deserialize(d).map(Some)
            }
        }
        d.deserialize_option(Opt)
    }
}
