//! The record JSON codec: how hwlog writes a [`Record`], its fields and values as JSON. The
//! `json` formatter, the stores' fields column and the server's API and live stream all write
//! with these functions, so a record reads the same wherever it shows up.
//!
//! - Strings escape `"`, `\`, `\n`, `\r`, `\t`, and every other control character and DEL as
//!   `\u00xx`; everything else (non-ASCII, U+2028) is written as UTF-8.
//! - Floats are the shortest text that reads back as the same `f64` (`0.1`, `1e16`, `1.0`,
//!   `-0.0`); NaN and infinities, which JSON lacks, are the strings `"NaN"`, `"inf"`, `"-inf"`.
//! - Bytes are text, with bytes that are not UTF-8 written `\xNN` ([`Value`]'s `Display`).
//! - A field key given twice keeps its last value, at the position of its last occurrence
//!   (linear in the number of fields).
//!
//! ```
//! use hwlog_core::{json, Level, Record, Timestamp};
//! let mut rec = Record::new(Level::Error, "db", "query \"failed\"");
//! rec.timestamp = Timestamp::from_nanos(1_700_000_000_000_000_000);
//! rec.push_field("ms", 12.5);
//! rec.thread = hwlog_core::ThreadInfo { id: 7, name: Some("main".into()) };
//! rec.pid = 42;
//! let mut out = Vec::new();
//! json::write_record(&rec, &mut out);
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     r#"{"timestamp":"2023-11-14T22:13:20.000000Z","level":"ERROR","component":"db","message":"query \"failed\"","correlation_id":null,"thread":"main","thread_id":7,"pid":42,"fields":{"ms":12.5}}"#
//! );
//! ```
use crate::{Record, SharedStr, Timestamp, Value};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string literal (with quotes).
#[inline]
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    if !crate::scan::any::<{ crate::scan::JSON }>(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
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

/// Appends a float as text: shortest round-trip digits for finite values (always with a `.`
/// or an exponent), `NaN`, `inf`, `-inf` otherwise (unquoted: see [`write_value`]).
pub fn write_f64(v: f64, out: &mut Vec<u8>) {
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

/// Appends a value as JSON (non-finite floats as strings, bytes as text).
pub fn write_value(v: &Value, out: &mut Vec<u8>) {
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
        Value::Str(s) => write_str(s, out),
        Value::Bytes(_) => write_str(&v.to_string(), out),
    }
}

/// Appends `fields` as one JSON object; a repeated key keeps its last value.
pub fn write_fields(fields: &[(SharedStr, Value)], out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    let last: Option<std::collections::HashMap<&str, usize>> = (fields.len() > 16).then(|| {
        fields
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_str(), i))
            .collect()
    });
    for (i, (k, v)) in fields.iter().enumerate() {
        let repeated = match &last {
            Some(m) => m.get(k.as_str()) != Some(&i),
            None => fields[i + 1..].iter().any(|(k2, _)| k2 == k),
        };
        if repeated {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        write_str(k, out);
        out.push(b':');
        write_value(v, out);
    }
    out.push(b'}');
}

/// `fields` as a JSON object in a `String`.
pub fn fields_to_string(fields: &[(SharedStr, Value)]) -> String {
    let mut out = Vec::with_capacity(2 + fields.len() * 16);
    write_fields(fields, &mut out);
    into_string(out)
}

fn into_string(out: Vec<u8>) -> String {
    // Every writer here emits UTF-8: input text is `str` and every escape is ASCII.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Writes a timestamp in RFC 3339 with microseconds, in UTC (`2026-11-24T05:00:00.123456Z`).
pub fn write_utc(ts: Timestamp, out: &mut Vec<u8>) {
    crate::time_fmt::write_rfc3339_micros(ts, 0, out);
}

/// Appends a record as one JSON object (no newline), its timestamp in UTC:
///
/// `{"timestamp":…,"level":…,"component":…,"message":…,"correlation_id":…|null,"thread":…|null,
/// "thread_id":…,"pid":…,["file":…,"line":…,]"fields":{…}[,"error":…]}`
pub fn write_record(rec: &Record, out: &mut Vec<u8>) {
    write_record_with(rec, out, write_utc, &[]);
}

/// A record as a JSON object in a `String`, with `extra` integer keys (such as a store id)
/// after its own.
pub fn record_to_string(rec: &Record, extra: &[(&str, i64)]) -> String {
    let mut out = Vec::with_capacity(256 + rec.message.len());
    write_record_with(rec, &mut out, write_utc, extra);
    into_string(out)
}

/// [`write_record`] with the timestamp written by `time` (a formatter's time zone) and
/// `extra` integer keys appended after the record's own (their names must not need escaping
/// and must differ from the record's keys).
pub fn write_record_with(
    rec: &Record,
    out: &mut Vec<u8>,
    time: impl FnOnce(Timestamp, &mut Vec<u8>),
    extra: &[(&str, i64)],
) {
    out.extend_from_slice(b"{\"timestamp\":\"");
    time(rec.timestamp, out);
    out.extend_from_slice(b"\",\"level\":\"");
    out.extend_from_slice(rec.level.as_str().as_bytes());
    out.extend_from_slice(b"\",\"component\":");
    write_str(&rec.component, out);
    out.extend_from_slice(b",\"message\":");
    write_str(&rec.message, out);
    out.extend_from_slice(b",\"correlation_id\":");
    match &rec.correlation_id {
        Some(id) => write_str(id, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"thread\":");
    match &rec.thread.name {
        Some(n) => write_str(n, out),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"thread_id\":");
    out.extend_from_slice(itoa::Buffer::new().format(rec.thread.id).as_bytes());
    out.extend_from_slice(b",\"pid\":");
    out.extend_from_slice(itoa::Buffer::new().format(rec.pid).as_bytes());
    if let Some(f) = &rec.file {
        out.extend_from_slice(b",\"file\":");
        write_str(f, out);
    }
    if let Some(l) = rec.line {
        out.extend_from_slice(b",\"line\":");
        out.extend_from_slice(itoa::Buffer::new().format(l).as_bytes());
    }
    out.extend_from_slice(b",\"fields\":");
    write_fields(&rec.fields, out);
    if let Some(err) = &rec.error {
        out.extend_from_slice(b",\"error\":");
        write_str(err, out);
    }
    for (k, v) in extra {
        out.push(b',');
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(itoa::Buffer::new().format(*v).as_bytes());
    }
    out.push(b'}');
}

/// Records every writer of record JSON is tested against: text that needs every escape,
/// DEL, U+2028, non-UTF-8 bytes, awkward floats, repeated keys, many fields.
pub fn hostile_records() -> Vec<Record> {
    let mut a = Record::new(
        crate::Level::Warning,
        "hw.\u{7f}ipmi",
        "quote \" back \\ nl \n cr \r tab \t nul \0 esc \u{1b} del \u{7f} ls \u{2028} é 🚀",
    );
    a.timestamp = Timestamp::from_nanos(1_700_000_000_123_456_789);
    a.correlation_id = Some("req-\"1\"".into());
    a.thread = crate::ThreadInfo {
        id: 3,
        name: Some("worker\t1".into()),
    };
    a.pid = 4242;
    a.file = Some("src/\\main.rs".into());
    a.line = Some(7);
    a.error = Some("boom\u{0}".into());
    for (k, v) in [
        ("f_small", Value::F64(0.00001)),
        ("f_big", Value::F64(1e16)),
        ("f_tiny", Value::F64(1e-7)),
        ("f_one", Value::F64(1.0)),
        ("f_negzero", Value::F64(-0.0)),
        ("f_nan", Value::F64(f64::NAN)),
        ("f_inf", Value::F64(f64::INFINITY)),
        ("f_ninf", Value::F64(f64::NEG_INFINITY)),
        ("f_max", Value::F64(f64::MAX)),
        ("u_max", Value::U64(u64::MAX)),
        ("i_min", Value::I64(i64::MIN)),
        ("bytes", Value::Bytes(vec![b'o', b'k', 0xff, 0x00, 0x7f])),
        ("null", Value::Null),
        ("yes", Value::Bool(true)),
        ("dup", Value::I64(1)),
        ("k\"ey\n", Value::Str("v\u{7f}".into())),
        ("dup", Value::Str("last".into())),
    ] {
        a.push_field(k, v);
    }
    let mut b = Record::new(crate::Level::Info, "many", "many fields");
    b.timestamp = Timestamp::from_nanos(-1_000);
    for i in 0..40 {
        b.push_field(format!("k{}", i % 30), i as u64);
    }
    let c = Record::new(crate::Level::Critical, "", "");
    vec![a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_json_and_reads_back() {
        for rec in hostile_records() {
            let s = record_to_string(&rec, &[("id", 5)]);
            // Parsed by a strict reader in tests/json_codec.rs; here: no raw control bytes.
            assert!(!s.bytes().any(|b| b < 0x20 || b == 0x7f), "{s}");
            assert!(s.ends_with(",\"id\":5}"), "{s}");
        }
    }

    #[test]
    fn floats() {
        let f = |v: f64| {
            let mut o = Vec::new();
            write_value(&Value::F64(v), &mut o);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(f(0.00001), "0.00001");
        assert_eq!(f(1e16), "1e16");
        assert_eq!(f(1.0), "1.0");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(f64::NAN), "\"NaN\"");
    }

    #[test]
    fn last_duplicate_wins_in_its_place() {
        let fields: Vec<(SharedStr, Value)> = vec![
            ("a".into(), Value::I64(1)),
            ("b".into(), Value::I64(2)),
            ("a".into(), Value::I64(3)),
        ];
        assert_eq!(fields_to_string(&fields), r#"{"b":2,"a":3}"#);
    }
}
