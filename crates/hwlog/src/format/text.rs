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

/// Cached "YYYY-MM-DDTHH:MM:SS." of the last second formatted on this thread.
#[derive(Clone, Copy)]
struct DateCache {
    secs: i64,
    tz: TimeZone,
    offset: i32,
    text: [u8; 20],
}

thread_local! {
    static DATE_CACHE: Cell<DateCache> = const {
        Cell::new(DateCache { secs: i64::MIN, tz: TimeZone::Utc, offset: 0, text: [0; 20] })
    };
}

fn local_offset(secs: i64) -> i32 {
    use chrono::{Local, Offset, TimeZone as _};
    match Local.timestamp_opt(secs, 0) {
        chrono::LocalResult::Single(t) => t.offset().fix().local_minus_utc(),
        chrono::LocalResult::Ambiguous(t, _) => t.offset().fix().local_minus_utc(),
        chrono::LocalResult::None => 0,
    }
}

/// "00" … "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

#[inline]
fn pair(v: u32) -> [u8; 2] {
    let i = (v as usize % 100) * 2;
    [PAIRS[i], PAIRS[i + 1]]
}

/// Writes an RFC 3339 timestamp with microseconds (`2026-11-24T05:00:00.123456Z`).
/// The date part is cached per thread and second, so consecutive records cost little.
#[inline]
pub fn write_timestamp(ts: Timestamp, tz: TimeZone, out: &mut Vec<u8>) {
    let secs = ts.seconds();
    let mut cache = DATE_CACHE.with(|c| c.get());
    if cache.secs != secs || cache.tz != tz {
        let offset = match tz {
            TimeZone::Utc => 0,
            TimeZone::Local => local_offset(secs),
        };
        let mut buf = Vec::with_capacity(20);
        hwlog_core::time_fmt::write_date_time(secs + offset as i64, &mut buf);
        buf.push(b'.');
        cache = DateCache {
            secs,
            tz,
            offset,
            text: [0; 20],
        };
        cache.text.copy_from_slice(&buf[..20]);
        DATE_CACHE.with(|c| c.set(cache));
    }
    let us = ts.subsec_nanos() / 1000;
    let (a, b, c) = (pair(us / 10_000), pair(us / 100), pair(us));
    let mut tail = [a[0], a[1], b[0], b[1], c[0], c[1], b'Z'];
    let tail_len = if cache.offset == 0 { 7 } else { 6 };
    out.reserve(27 + 6);
    out.extend_from_slice(&cache.text);
    out.extend_from_slice(&tail[..tail_len]);
    if cache.offset != 0 {
        let (sign, off) = if cache.offset < 0 {
            (b'-', cache.offset.unsigned_abs())
        } else {
            (b'+', cache.offset as u32)
        };
        let (h, m) = (pair(off / 3600), pair(off / 60 % 60));
        tail[..6].copy_from_slice(&[sign, h[0], h[1], b':', m[0], m[1]]);
        out.extend_from_slice(&tail[..6]);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[inline]
fn has_control(bytes: &[u8]) -> bool {
    hwlog_core::scan::any::<{ hwlog_core::scan::CONTROL }>(bytes)
}

/// Appends `s` with line breaks, tabs and other control characters escaped (`\n`, `\r`, `\t`,
/// `\u{1b}`), so that one record stays one line.
#[inline]
pub fn escape_line(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    if !has_control(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
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

use hwlog_core::json::write_f64;
use hwlog_core::json::write_str as json_str;

fn bytes_lossy(b: &[u8]) -> String {
    Value::Bytes(b.to_vec()).to_string()
}

fn needs_quotes(s: &str) -> bool {
    s.is_empty() || hwlog_core::scan::any::<{ hwlog_core::scan::TEXT }>(s.as_bytes())
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
        hwlog_core::json::write_value(&Value::F64(f64::NAN), &mut out);
        hwlog_core::json::write_value(&Value::Bytes(vec![b'a', 0xff]), &mut out);
        hwlog_core::json::write_value(&Value::from("q\"\u{1}"), &mut out);
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
        write_timestamp(
            Timestamp::from_nanos(1_700_000_000_123_456_789),
            TimeZone::Utc,
            &mut out,
        );
        out.push(b' ');
        write_timestamp(
            Timestamp::from_nanos(1_700_000_000_999_999_000),
            TimeZone::Utc,
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2023-11-14T22:13:20.123456Z 2023-11-14T22:13:20.999999Z"
        );
    }
}
