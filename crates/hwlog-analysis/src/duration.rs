//! Durations reported by records: fields such as `duration_ms` or `elapsed`, and messages
//! such as "took 250ms" or "duration: 1.5s". Used by the metrics handler and the
//! performance trends.
use hwlog_core::{Record, Value};

/// Seconds from a number and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`/`min`, `h`).
fn to_secs(v: f64, unit: &str) -> Option<f64> {
    let f = match unit {
        "ns" => 1e-9,
        "us" | "µs" | "μs" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        _ => return None,
    };
    (v.is_finite() && v >= 0.0).then_some(v * f)
}

/// Parses `"250ms"`, `"1.5 s"`, `"300us"` into seconds.
///
/// ```
/// assert_eq!(hwlog_analysis::duration::parse_duration("250ms"), Some(0.25));
/// ```
pub fn parse_duration(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    to_secs(num.parse().ok()?, unit.trim())
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
                parse_duration(s).or_else(|| s.trim().parse().ok().and_then(|x| to_secs(x, "s")))
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
            r"(?i)\b(?:took|duration|elapsed|latency|completed in|finished in|in)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|μs|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hr|h)\b",
        )
        .expect("valid duration pattern")
    });
    RE.captures_iter(msg)
        .find_map(|c| to_secs(c[1].parse().ok()?, &c[2].to_ascii_lowercase()))
}
