//! Durations reported by records: fields such as `duration_ms` or `elapsed`, and messages
//! such as "took 250ms" or "duration: 1.5s". Used by the metrics handler and the
//! performance trends.
use hwlog_core::{Record, Value};

/// Seconds from a number and a unit (any unit of [`hwlog_core::units`]).
fn to_secs(v: f64, unit: &str) -> Option<f64> {
    let per = hwlog_core::units::duration_unit_nanos(unit)?;
    (v.is_finite() && v >= 0.0).then_some(v * per as f64 / 1e9)
}

/// Seconds in a duration written as text (`"250ms"`, `"1.5 s"`, `"1h30m"`), read by
/// [`hwlog_core::units::parse_duration`]; `None` when it is not one (a bare number included).
///
/// ```
/// assert_eq!(hwlog_analysis::duration::secs_of("250ms"), Some(0.25));
/// assert_eq!(hwlog_analysis::duration::secs_of("15"), None);
/// ```
pub fn secs_of(text: &str) -> Option<f64> {
    hwlog_core::units::parse_duration(text)
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

fn duration_in_message(msg: &str) -> Option<f64> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(?:took|duration|elapsed|latency|completed in|finished in|in)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*([^\W\d_]+)\b",
        )
        .expect("valid duration pattern")
    });
    RE.captures_iter(msg)
        .find_map(|c| to_secs(c[1].parse().ok()?, &c[2]))
}
