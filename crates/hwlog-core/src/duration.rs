//! Durations reported by records: fields such as `duration_ms` or `elapsed`, and messages
//! such as "took 250ms" or "duration: 1.5s". Used by the metrics handler and the
//! performance trends.
use crate::{Record, Value};

/// Seconds from a number and a unit (any unit of [`crate::units`]).
fn to_secs(v: f64, unit: &str) -> Option<f64> {
    let per = crate::units::duration_unit_nanos(unit)?;
    (v.is_finite() && v >= 0.0).then_some(v * per as f64 / 1e9)
}

/// Seconds in a duration written as text (`"250ms"`, `"1.5 s"`, `"1h30m"`), read by
/// [`crate::units::parse_duration`]; `None` when it is not one (a bare number included).
///
/// ```
/// assert_eq!(hwlog_core::duration::secs_of("250ms"), Some(0.25));
/// assert_eq!(hwlog_core::duration::secs_of("15"), None);
/// ```
pub fn secs_of(text: &str) -> Option<f64> {
    crate::units::parse_duration(text)
        .ok()
        .map(|d| d.as_secs_f64())
}

/// The duration a record reports, in seconds: field `duration_ms` (milliseconds), fields
/// `duration` / `elapsed` / `took` (text with a unit, or a number of seconds), or a message
/// such as "took 250ms", "duration: 1.5s", "elapsed 30 ms", "in 2.5s".
pub fn duration_of(rec: &Record) -> Option<f64> {
    for (k, v) in rec.fields.iter().rev() {
        let secs = match (k.as_str(), v) {
            ("duration_ms" | "elapsed_ms" | "took_ms", v) => {
                v.as_f64().and_then(|x| to_secs(x, "ms"))
            }
            ("duration_us" | "elapsed_us", v) => v.as_f64().and_then(|x| to_secs(x, "us")),
            ("duration" | "elapsed" | "took" | "duration_s", Value::Str(s)) => {
                secs_of(s).or_else(|| s.trim().parse().ok().and_then(|x| to_secs(x, "s")))
            }
            ("duration" | "elapsed" | "took" | "duration_s", v) => {
                v.as_f64().and_then(|x| to_secs(x, "s"))
            }
            _ => None,
        };
        if secs.is_some() {
            return secs;
        }
    }
    duration_in_message(&rec.message)
}

/// Words a duration in a message follows, lower case.
const KEYWORDS: [&str; 7] = [
    "completed in",
    "finished in",
    "took",
    "duration",
    "elapsed",
    "latency",
    "in",
];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first `<keyword> [:=] <number> <unit>` of `msg` whose unit is a duration unit: "took
/// 250ms", "duration: 1.5s", "elapsed 30 ms", "in 2.5s" (keywords matched case-insensitively,
/// at word boundaries). Linear in the message: one pass over its words.
fn duration_in_message(msg: &str) -> Option<f64> {
    let lower = msg.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Start of a word?
        let at_start = i == 0 || !is_word(lower[..i].chars().next_back().unwrap_or(' '));
        if at_start && b[i].is_ascii_alphabetic() {
            for kw in KEYWORDS {
                if lower[i..].starts_with(kw)
                    && !lower[i + kw.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_')
                {
                    if let Some(secs) = number_and_unit(&lower[i + kw.len()..]) {
                        return Some(secs);
                    }
                }
            }
        }
        i += lower[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// `\s*[:=]?\s*<digits>[.<digits>]\s*<unit>` at the start of `t`, in seconds.
fn number_and_unit(t: &str) -> Option<f64> {
    let t = t.trim_start();
    let t = t.strip_prefix([':', '=']).unwrap_or(t).trim_start();
    let int_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if int_end == 0 {
        return None;
    }
    let mut end = int_end;
    if let Some(frac) = t[int_end..].strip_prefix('.') {
        let n = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        if n > 0 {
            end = int_end + 1 + n;
        }
    }
    let value: f64 = t[..end].parse().ok()?;
    let rest = t[end..].trim_start();
    let unit_end = rest
        .find(|c: char| !(c.is_alphabetic()))
        .unwrap_or(rest.len());
    let unit = &rest[..unit_end];
    if unit.is_empty() || rest[unit_end..].chars().next().is_some_and(is_word) {
        return None;
    }
    to_secs(value, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let m = |s: &str| duration_in_message(s);
        assert_eq!(m("took 250ms"), Some(0.25));
        assert_eq!(m("Duration: 1.5s"), Some(1.5));
        assert_eq!(m("elapsed 30 ms"), Some(0.03));
        assert_eq!(m("done in 2.5s"), Some(2.5));
        assert_eq!(m("completed in 2 min"), Some(120.0));
        assert_eq!(m("latency=15µs"), Some(0.000015));
        assert_eq!(m("retrying 3 times in rack 12"), None);
        assert_eq!(m("took 5 hosts offline"), None);
        assert_eq!(m("within 5s"), None);
        assert_eq!(m("login 5s"), None);
        assert_eq!(m("in 5s2"), None);
        assert_eq!(m("took250ms"), Some(0.25));
        assert_eq!(m("intake 5s"), None);
        assert_eq!(m("took 3 tries, then in 4s"), Some(4.0));
        assert_eq!(m(&"in ".repeat(10_000)), None);
    }
}
