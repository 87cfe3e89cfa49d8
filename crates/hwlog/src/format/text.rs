//! Byte-level helpers shared by the formatters: timestamps, escaping, values.
use std::cell::Cell;

use hwlog_core::{Timestamp, Value};

/// Which clock face timestamps are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeZone {
    /// UTC with a `Z` suffix (default).
    #[default]
    Utc,
    /// The machine's local time with its offset (`+01:00`).
    Local,
}

thread_local! {
    // (second, zone, offset, "YYYY-MM-DDTHH:MM:SS") of the last formatted timestamp.
    static DATE_CACHE: Cell<(i64, TimeZone, i32, [u8; 19])> =
        const { Cell::new((i64::MIN, TimeZone::Utc, 0, [0; 19])) };
}

fn local_offset(secs: i64) -> i32 {
    use chrono::{Local, Offset, TimeZone as _};
    match Local.timestamp_opt(secs, 0) {
        chrono::LocalResult::Single(t) => t.offset().fix().local_minus_utc(),
        chrono::LocalResult::Ambiguous(t, _) => t.offset().fix().local_minus_utc(),
        chrono::LocalResult::None => 0,
    }
}

/// Writes an RFC 3339 timestamp with microseconds (`2026-11-24T05:00:00.123456Z`).
/// The date part is cached per thread and second, so consecutive records cost little.
pub fn write_timestamp(ts: Timestamp, tz: TimeZone, out: &mut Vec<u8>) {
    let secs = ts.seconds();
    let (cached_secs, cached_tz, cached_off, cached) = DATE_CACHE.with(|c| c.get());
    let (offset, date) = if cached_secs == secs && cached_tz == tz {
        (cached_off, cached)
    } else {
        let offset = match tz {
            TimeZone::Utc => 0,
            TimeZone::Local => local_offset(secs),
        };
        let mut buf = Vec::with_capacity(19);
        hwlog_core::time_fmt::write_date_time(secs + offset as i64, &mut buf);
        let mut date = [0u8; 19];
        date.copy_from_slice(&buf[..19]);
        DATE_CACHE.with(|c| c.set((secs, tz, offset, date)));
        (offset, date)
    };
    out.extend_from_slice(&date);
    out.push(b'.');
    let us = ts.subsec_nanos() / 1000;
    let mut digits = [b'0'; 6];
    let mut v = us;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.extend_from_slice(&digits);
    if offset == 0 {
        out.push(b'Z');
    } else {
        let (sign, off) = if offset < 0 {
            (b'-', offset.unsigned_abs())
        } else {
            (b'+', offset as u32)
        };
        out.push(sign);
        out.push(b'0' + (off / 36000) as u8);
        out.push(b'0' + (off / 3600 % 10) as u8);
        out.push(b':');
        out.push(b'0' + (off / 600 % 6) as u8);
        out.push(b'0' + (off / 60 % 10) as u8);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` with line breaks, tabs and other control characters escaped (`\n`, `\r`, `\t`,
/// `\u{1b}`), so that one record stays one line.
#[inline]
pub fn escape_line(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != 0x7f {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                out.extend_from_slice(b"\\u{");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
                out.push(b'}');
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends `s` truncated to at most `width` characters (counting `...`), escaped for one line.
pub fn escape_line_truncated(s: &str, width: usize, out: &mut Vec<u8>) {
    if s.len() <= width {
        return escape_line(s, out);
    }
    match s.char_indices().nth(width) {
        None => escape_line(s, out),
        Some(_) => {
            let keep = width.saturating_sub(3);
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            escape_line(&s[..end], out);
            out.extend_from_slice(b"...");
        }
    }
}

/// Appends a JSON string literal (with quotes).
#[inline]
pub fn json_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn bytes_lossy(b: &[u8]) -> String {
    Value::Bytes(b.to_vec()).to_string()
}

/// Appends a float: shortest round-trip digits; `NaN`, `inf`, `-inf` as text.
fn write_f64(v: f64, out: &mut Vec<u8>) {
    if v.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    } else if v.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if v > 0.0 {
        out.extend_from_slice(b"inf");
    } else {
        out.extend_from_slice(b"-inf");
    }
}

/// Appends a value as JSON. Non-finite floats become strings (`"NaN"`), invalid UTF-8 is
/// escaped as `\xNN` inside a string.
pub fn json_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::I64(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::U64(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::F64(f) if f.is_finite() => write_f64(*f, out),
        Value::F64(f) => {
            out.push(b'"');
            write_f64(*f, out);
            out.push(b'"');
        }
        Value::Str(s) => json_str(s, out),
        Value::Bytes(b) => json_str(&bytes_lossy(b), out),
    }
}

fn needs_quotes(s: &str) -> bool {
    s.is_empty()
        || s.bytes()
            .any(|b| b <= b' ' || b == b'"' || b == b'=' || b == b'\\' || b == 0x7f)
}

/// Appends a value for `key=value` text: strings with spaces, quotes or `=` are quoted with
/// `"` and escaped; control characters are always escaped.
pub fn text_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Str(s) => text_str(s, out),
        Value::Bytes(b) => text_str(&bytes_lossy(b), out),
        Value::F64(f) => write_f64(*f, out),
        Value::I64(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::U64(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Null => out.extend_from_slice(b"null"),
    }
}

fn text_str(s: &str, out: &mut Vec<u8>) {
    if needs_quotes(s) {
        json_str(s, out);
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends ` key=value` for every field and, if present, ` error="..."`.
pub fn kv_suffix(rec: &hwlog_core::Record, out: &mut Vec<u8>) {
    for (k, v) in &rec.fields {
        out.push(b' ');
        escape_line(k, out);
        out.push(b'=');
        text_value(v, out);
    }
    if let Some(err) = &rec.error {
        out.extend_from_slice(b" error=");
        text_str(err, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_truncates() {
        let mut out = Vec::new();
        escape_line("a\nb\tc\u{1b}[31m", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "a\\nb\\tc\\u{1b}[31m");
        let mut out = Vec::new();
        escape_line_truncated("héllo world", 8, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "héllo...");
        let mut out = Vec::new();
        escape_line_truncated("short", 8, &mut out);
        assert_eq!(out, b"short");
    }

    #[test]
    fn json_and_text_values() {
        let mut out = Vec::new();
        json_value(&Value::F64(f64::NAN), &mut out);
        json_value(&Value::Bytes(vec![b'a', 0xff]), &mut out);
        json_value(&Value::from("q\"\u{1}"), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#""NaN""a\\xFF""q\"\u0001""#
        );
        let mut out = Vec::new();
        text_value(&Value::from("two words"), &mut out);
        text_value(&Value::from("plain"), &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "\"two words\"plain");
    }

    #[test]
    fn timestamp_utc_and_cache() {
        let mut out = Vec::new();
        write_timestamp(Timestamp::from_nanos(1_700_000_000_123_456_789), TimeZone::Utc, &mut out);
        out.push(b' ');
        write_timestamp(Timestamp::from_nanos(1_700_000_000_999_999_000), TimeZone::Utc, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2023-11-14T22:13:20.123456Z 2023-11-14T22:13:20.999999Z"
        );
    }
}
