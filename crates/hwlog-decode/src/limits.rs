//! The limits every ingest path shares (HTTP JSON/NDJSON, gzip, forms, OTLP protobuf and
//! JSON, syslog over UDP and TCP), and the one check each decoded record goes through.
//!
//! Sizes a client controls are capped before the memory is spent: the body while it is read
//! and while it is decompressed, the number of records before they are decoded, JSON values
//! while they are parsed (a budget of values and a depth per record, see
//! [`crate::bounded`]). What a record may hold is then the same on every path:
//!
//! | limit | default | beyond it |
//! |---|---:|---|
//! | `max_body_mb` (decompressed body) | 16 MiB | 413 |
//! | `max_records` per request | 10,000 | 413 |
//! | `max_message_bytes` | 64 KiB | the message is cut (counted as truncated) |
//! | `max_value_bytes` (a field's text) | 16 KiB | the value is cut (counted) |
//! | `max_fields` per record | 256 | the record is refused |
//! | `max_key_bytes` | 256 | the record is refused |
//! | `max_depth` of nested values | 16 | the record is refused |
//! | `max_record_bytes` (message + keys + values) | 256 KiB | the record is refused |
//!
//! ```
//! use hwlog_core::{Level, Record};
//! use hwlog_decode::limits::Limits;
//!
//! let mut limits = Limits::default();
//! limits.max_message = 8;
//! let mut r = Record::new(Level::Info, "app", "0123456789");
//! assert_eq!(limits.fit(&mut r), Ok(true)); // cut
//! assert_eq!(r.message, "01234567");
//! ```
use std::time::Duration;

use hwlog_core::{Record, Value};

use crate::{DecodeError, DecodeErrorKind};

/// The ingest limits (one set for every path; `hwlog serve --config` sets them).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request body after decompression, in bytes (413 beyond).
    pub max_body: usize,
    /// Records in one request (413 beyond).
    pub max_records: usize,
    /// Bytes of a message (cut beyond, at a character boundary).
    pub max_message: usize,
    /// Bytes of a field's text value (cut beyond).
    pub max_value: usize,
    /// Fields of a record (refused beyond).
    pub max_fields: usize,
    /// Bytes of a field's key (refused beyond).
    pub max_key: usize,
    /// Nesting depth of a JSON or OTLP value (refused beyond).
    pub max_depth: usize,
    /// Bytes of a whole record, message, keys and values (refused beyond).
    pub max_record: usize,
    /// Errors listed in a reply; the count covers all of them.
    pub max_errors: usize,
    /// Ingest requests read, decoded or waiting for their commit at once; a further request
    /// waits (before its body is read) up to [`Limits::ingest_wait`] for a slot, then gets
    /// `503` with `Retry-After`, as when the writer's queue is full.
    pub ingest_concurrency: usize,
    /// How long a request waits for an ingest slot.
    pub ingest_wait: Duration,
    /// Open connections at once (HTTP and syslog TCP each); further ones wait in the
    /// kernel's backlog.
    pub max_connections: usize,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// A connection with no request (or a syslog TCP connection with no bytes) for this
    /// long is closed.
    pub idle_timeout: Duration,
    /// Bytes the live stream keeps for resumption (`after=SEQ`).
    pub ring_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 << 20,
            max_records: 10_000,
            max_message: 64 << 10,
            max_value: 16 << 10,
            max_fields: 256,
            max_key: 256,
            max_depth: 16,
            max_record: 256 << 10,
            max_errors: 100,
            ingest_concurrency: 32,
            ingest_wait: Duration::from_secs(5),
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            ring_bytes: 64 << 20,
        }
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary; whether it was cut.
pub fn cut(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    true
}

impl Limits {
    /// Values a JSON record may hold while it is parsed: every field and its nested values.
    pub fn value_budget(&self) -> usize {
        self.max_fields.saturating_mul(8).saturating_add(64)
    }

    /// Applies the per-record limits to a decoded record: the message and text values are
    /// cut to their caps (`Ok(true)`), too many fields, an overlong key or a record too
    /// large as a whole are refused with the reason.
    pub fn fit(&self, r: &mut Record) -> Result<bool, DecodeError> {
        if r.fields.len() > self.max_fields {
            return Err(DecodeError::new(
                DecodeErrorKind::TooLarge,
                format!(
                    "{} fields; at most {} per record",
                    r.fields.len(),
                    self.max_fields
                ),
            ));
        }
        let mut truncated = false;
        if r.message.len() > self.max_message {
            let mut m = r.message.to_string();
            cut(&mut m, self.max_message);
            r.message = m.into();
            truncated = true;
        }
        let mut total = r.message.len();
        for (k, v) in &mut r.fields {
            if k.len() > self.max_key {
                return Err(DecodeError::new(
                    DecodeErrorKind::TooLarge,
                    format!("a field key of {} bytes; at most {}", k.len(), self.max_key),
                ));
            }
            total += k.len();
            match v {
                Value::Str(s) if s.len() > self.max_value => {
                    let mut t = s.to_string();
                    cut(&mut t, self.max_value);
                    *s = t.into();
                    truncated = true;
                }
                Value::Bytes(b) if b.len() > self.max_value => {
                    b.truncate(self.max_value);
                    truncated = true;
                }
                _ => {}
            }
            total += match v {
                Value::Str(s) => s.len(),
                Value::Bytes(b) => b.len(),
                _ => 8,
            };
        }
        if let Some(e) = &mut r.error {
            if e.len() > self.max_value {
                let mut t = e.to_string();
                cut(&mut t, self.max_value);
                *e = t;
                truncated = true;
            }
            total += e.len();
        }
        if total > self.max_record {
            return Err(DecodeError::new(
                DecodeErrorKind::TooLarge,
                format!("a record of {total} bytes; at most {}", self.max_record),
            ));
        }
        Ok(truncated)
    }
}

/// What a request's records are checked against besides [`Limits`]: the time now and the
/// oldest time the store keeps.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Now, in nanoseconds since the Unix epoch (records without a time get it).
    pub now: i64,
    /// Records dated before this would be deleted by the next retention run: refused.
    pub oldest: i64,
}

/// How far ahead of the server's clock a record may be (further is refused, so that one
/// record cannot stall the alert windows that run in record time).
pub const MAX_FUTURE: i64 = 86_400 * 1_000_000_000;

impl Window {
    /// The window for retention `max_age` (none: back to 1970).
    pub fn new(now: i64, max_age: Option<Duration>) -> Window {
        let oldest = max_age.map_or(0, |a| {
            now.saturating_sub(i64::try_from(a.as_nanos()).unwrap_or(i64::MAX))
                .max(0)
        });
        Window { now, oldest }
    }

    /// Checks a record's time (nanoseconds since the epoch).
    pub fn check(&self, ts: i64) -> Result<i64, DecodeError> {
        if ts > self.now.saturating_add(MAX_FUTURE) {
            return Err(DecodeError::new(
                DecodeErrorKind::Time,
                format!("timestamp {} is more than a day in the future", fmt_ts(ts)),
            ));
        }
        if ts < self.oldest {
            return Err(DecodeError::new(
                DecodeErrorKind::Time,
                if self.oldest == 0 {
                    format!("timestamp {} is before 1970", fmt_ts(ts))
                } else {
                    format!(
                        "timestamp {} is older than the retention window (records before {} are \
                     deleted)",
                        fmt_ts(ts),
                        fmt_ts(self.oldest)
                    )
                },
            ));
        }
        Ok(ts)
    }

    /// A number of seconds, milliseconds, microseconds or nanoseconds since the epoch (told
    /// apart by size) as nanoseconds, checked; NaN, infinities and values beyond what the
    /// store represents are refused.
    pub fn check_number(&self, x: f64) -> Result<i64, DecodeError> {
        if !x.is_finite() {
            return Err(DecodeError::new(
                DecodeErrorKind::Time,
                format!("timestamp {x} is not a number of seconds"),
            ));
        }
        let nanos = x * epoch_unit_nanos(x.abs()) as f64;
        // i64 nanoseconds reach from 1677 to 2262.
        if !(-9.2e18..=9.2e18).contains(&nanos) {
            return Err(DecodeError::new(
                DecodeErrorKind::Time,
                format!("timestamp {x} is out of range"),
            ));
        }
        self.check(nanos as i64)
    }
}

/// Nanoseconds per unit of a number since the epoch whose absolute value is `a`: seconds up
/// to 1e11, milliseconds up to 1e14, microseconds up to 1e17, nanoseconds beyond (the one rule
/// for numeric times, in record bodies and in query parameters).
pub fn epoch_unit_nanos(a: f64) -> i64 {
    if a > 1e17 {
        1
    } else if a > 1e14 {
        1_000
    } else if a > 1e11 {
        1_000_000
    } else {
        1_000_000_000
    }
}

/// An integer time since the epoch (seconds, milliseconds, microseconds or nanoseconds, told
/// apart by size as [`epoch_unit_nanos`] says) in nanoseconds, exactly; `None` beyond
/// 1677–2262.
///
/// ```
/// use hwlog_decode::limits::epoch_int_nanos;
/// assert_eq!(epoch_int_nanos(1_700_000_000), Some(1_700_000_000_000_000_000));
/// assert_eq!(epoch_int_nanos(1_700_000_000_123), Some(1_700_000_000_123_000_000));
/// assert_eq!(epoch_int_nanos(1_700_000_000_123_456_789), Some(1_700_000_000_123_456_789));
/// ```
pub fn epoch_int_nanos(n: i64) -> Option<i64> {
    n.checked_mul(epoch_unit_nanos(n.unsigned_abs() as f64))
}

/// A time for an error message: RFC 3339, or the number when it has none.
pub fn fmt_ts(ts: i64) -> String {
    let secs = ts.div_euclid(1_000_000_000);
    let nanos = ts.rem_euclid(1_000_000_000) as u32;
    chrono::DateTime::from_timestamp(secs, nanos)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_else(|| ts.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwlog_core::Level;

    #[test]
    fn fit_cuts_text_and_refuses_what_cannot_be_cut() {
        let l = Limits {
            max_message: 4,
            max_value: 3,
            max_fields: 2,
            max_key: 5,
            max_record: 100,
            ..Limits::default()
        };
        let mut r = Record::new(Level::Info, "c", "héllo").with_field("k", "abcdef");
        assert_eq!(l.fit(&mut r), Ok(true));
        assert_eq!(r.message, "hél", "cut at a character boundary");
        assert_eq!(r.field("k"), Some(&Value::from("abc")));
        let mut r = Record::new(Level::Info, "c", "m")
            .with_field("a", 1)
            .with_field("b", 2)
            .with_field("c", 3);
        let e = l.fit(&mut r).unwrap_err();
        assert_eq!(e.kind(), crate::DecodeErrorKind::TooLarge);
        assert!(e.to_string().contains("3 fields"), "{e}");
        let mut r = Record::new(Level::Info, "c", "m").with_field("longkey", 1);
        assert!(l
            .fit(&mut r)
            .unwrap_err()
            .to_string()
            .contains("key of 7 bytes"));
        let mut r = Record::new(Level::Info, "c", "m").with_field("k", 1);
        assert_eq!(l.fit(&mut r), Ok(false));
    }

    #[test]
    fn window_refuses_times_the_store_would_delete_or_cannot_hold() {
        let now = 1_800_000_000_000_000_000;
        let w = Window::new(now, Some(Duration::from_secs(86_400)));
        assert_eq!(w.check(now), Ok(now));
        assert!(w
            .check(now - 2 * 86_400 * 1_000_000_000)
            .unwrap_err()
            .to_string()
            .contains("retention"));
        assert!(w
            .check(now + 2 * MAX_FUTURE)
            .unwrap_err()
            .to_string()
            .contains("future"));
        for bad in [
            f64::NAN,
            f64::INFINITY,
            -1e308,
            1e300,
            u64::MAX as f64 * 1e3,
        ] {
            assert!(w.check_number(bad).is_err(), "{bad}");
        }
        let forever = Window::new(now, None);
        assert!(forever
            .check(i64::MIN)
            .unwrap_err()
            .to_string()
            .contains("1970"));
        assert!(forever
            .check_number(-1.0)
            .unwrap_err()
            .to_string()
            .contains("1970"));
        assert_eq!(forever.check_number(1.5), Ok(1_500_000_000));
        assert_eq!(forever.check_number(1.7e12), Ok(1_700_000_000_000_000_000));
    }
}
