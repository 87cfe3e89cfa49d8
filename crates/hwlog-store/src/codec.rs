//! Converting records to table rows and back.
//!
//! Fields become one JSON object, in the record's order, a key given twice keeping its last
//! value (as hwlog's JSON formatter does). Values map naturally: integers and finite floats to
//! numbers (floats always with a `.` or exponent), NaN and infinities to the strings `"NaN"`,
//! `"inf"`, `"-inf"`, bytes that are not UTF-8 to a string with the invalid bytes written as
//! `\xNN` (the text hwlog's formatters show). Reading back, integers that fit an `i64` become
//! [`Value::I64`], larger ones [`Value::U64`], numbers with a fraction or exponent
//! [`Value::F64`], nested arrays and objects (which this crate never writes) their JSON text.
//!
//! The thread is stored as `name#id` (`#id` for an unnamed thread).
use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use hwlog_core::context::ContextData;
use hwlog_core::{Level, Record, SharedStr, ThreadInfo, Timestamp, Value};

use crate::{Error, ErrorKind};

/// Column list of the log table's rows, in the order the SQLite store reads them.
pub(crate) const COLUMNS: &str =
    "id, ts, level, component, message, correlation_id, fields, thread, pid, file, line, host, error";

/// Reusable buffers for the text columns computed from a record.
#[derive(Default)]
pub(crate) struct Encoder {
    fields: String,
    thread: String,
    host: String,
}

/// The computed columns of one record, borrowing the encoder's buffers.
pub(crate) struct Encoded<'a> {
    pub fields: Option<&'a str>,
    pub thread: &'a str,
    pub host: Option<&'a str>,
}

impl Encoder {
    /// Encodes the columns of `rec` that are not stored as they are.
    pub(crate) fn encode<'a>(&'a mut self, rec: &'a Record) -> Encoded<'a> {
        self.fields.clear();
        let fields = if rec.fields.is_empty() {
            None
        } else {
            write_fields(&rec.fields, &mut self.fields);
            Some(self.fields.as_str())
        };
        self.thread.clear();
        if let Some(name) = &rec.thread.name {
            self.thread.push_str(name);
        }
        let _ = write!(self.thread, "#{}", rec.thread.id);
        let host = match rec.field("host") {
            Some(Value::Str(s)) => Some(&**s),
            Some(other) => {
                self.host.clear();
                let _ = write!(self.host, "{other}");
                Some(self.host.as_str())
            }
            None => rec
                .context
                .as_ref()
                .and_then(|c| c.host.as_ref())
                .map(|h| h.as_str()),
        };
        Encoded {
            fields,
            thread: &self.thread,
            host,
        }
    }
}

/// Writes `fields` as one JSON object with the shared record codec ([`hwlog_core::json`]); a
/// repeated key keeps its last value.
pub(crate) fn write_fields(fields: &[(SharedStr, Value)], out: &mut String) {
    out.push_str(&hwlog_core::json::fields_to_string(fields));
}

/// Parses a fields column back into fields, in the order the keys appear in the text.
pub(crate) fn read_fields(id: i64, text: &str) -> Result<Vec<(SharedStr, Value)>, Error> {
    let bad = |why: String| Error::new(ErrorKind::Corrupt, format!("row {id}: fields {why}"));
    let parsed: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("are not JSON: {e}")))?;
    let serde_json::Value::Object(mut map) = parsed else {
        return Err(bad("are not a JSON object".into()));
    };
    let mut out = Vec::with_capacity(map.len());
    for raw in top_level_keys(text) {
        let Ok(key) = serde_json::from_str::<String>(raw) else {
            continue;
        };
        // `remove` also drops a repeated key's second occurrence.
        if let Some(v) = map.remove(&key) {
            out.push((SharedStr::from(key), from_json(v)));
        }
    }
    Ok(out)
}

/// The raw (quoted, still escaped) keys of a JSON object, in order.
fn top_level_keys(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut keys = Vec::new();
    let (mut depth, mut i, mut expect_key) = (0usize, 0, false);
    while i < b.len() {
        match b[i] {
            b'{' => {
                depth += 1;
                expect_key = depth == 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_key = true,
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 && expect_key && i < b.len() {
                    keys.push(&text[start..=i]);
                    expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    keys
}

fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::I64(i)
            } else if let Some(u) = n.as_u64() {
                Value::U64(u)
            } else {
                Value::F64(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::Str(Cow::Owned(s)),
        other => Value::Str(Cow::Owned(other.to_string())),
    }
}

/// The columns of one stored record, as any backend reads them.
pub(crate) struct RowParts<'a> {
    pub id: i64,
    pub ts: i64,
    pub level: i64,
    pub component: String,
    pub message: String,
    pub correlation_id: Option<String>,
    pub fields: Option<&'a str>,
    pub thread: Option<&'a str>,
    pub pid: Option<i64>,
    pub file: Option<String>,
    pub line: Option<i64>,
    pub host: Option<String>,
    pub error: Option<String>,
}

impl RowParts<'_> {
    /// The record these columns hold.
    pub(crate) fn into_record(self) -> Result<(i64, Record), Error> {
        let id = self.id;
        let corrupt = |what: &str| Error::new(ErrorKind::Corrupt, format!("row {id}: {what}"));
        let level = u8::try_from(self.level)
            .ok()
            .and_then(Level::from_u8)
            .ok_or_else(|| corrupt(&format!("level {} is not 0..=5", self.level)))?;
        let fields = match self.fields {
            Some(text) => read_fields(id, text)?,
            None => Vec::new(),
        };
        let thread = match self.thread {
            Some(text) => parse_thread(text),
            None => ThreadInfo { id: 0, name: None },
        };
        let context = match self.host {
            Some(h) if !fields.iter().any(|(k, _)| k == "host") => Some(Arc::new(ContextData {
                host: Some(SharedStr::from(h)),
                ..ContextData::default()
            })),
            _ => None,
        };
        let record = Record {
            timestamp: Timestamp::from_nanos(self.ts),
            level,
            component: SharedStr::from(self.component),
            message: Cow::Owned(self.message),
            fields,
            correlation_id: self.correlation_id.map(SharedStr::from),
            context,
            thread,
            pid: self.pid.and_then(|p| u32::try_from(p).ok()).unwrap_or(0),
            file: self.file.map(SharedStr::from),
            line: self.line.and_then(|l| u32::try_from(l).ok()),
            error: self.error,
        };
        Ok((id, record))
    }
}

fn parse_thread(text: &str) -> ThreadInfo {
    match text.rsplit_once('#') {
        Some((name, id)) if id.parse::<u64>().is_ok() => ThreadInfo {
            id: id.parse().unwrap_or(0),
            name: (!name.is_empty()).then(|| SharedStr::from(name.to_string())),
        },
        _ => ThreadInfo {
            id: 0,
            name: Some(SharedStr::from(text.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_in_order() {
        let fields: Vec<(SharedStr, Value)> = vec![
            ("z".into(), Value::I64(-3)),
            ("a\"b".into(), Value::from("x\n\u{1}y")),
            ("big".into(), Value::U64(u64::MAX)),
            ("f".into(), Value::F64(1.0)),
            ("nan".into(), Value::F64(f64::NAN)),
            ("z".into(), Value::I64(7)),
            ("raw".into(), Value::Bytes(vec![b'o', 0xff, b'k'])),
        ];
        let mut text = String::new();
        write_fields(&fields, &mut text);
        assert_eq!(
            text,
            r#"{"a\"b":"x\n\u0001y","big":18446744073709551615,"f":1.0,"nan":"NaN","z":7,"raw":"o\\xFFk"}"#
        );
        let back = read_fields(1, &text).unwrap();
        let keys: Vec<&str> = back.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a\"b", "big", "f", "nan", "z", "raw"]);
        assert_eq!(back[0].1, Value::from("x\n\u{1}y"));
        assert_eq!(back[1].1, Value::U64(u64::MAX));
        assert_eq!(back[2].1, Value::F64(1.0));
        assert_eq!(back[3].1, Value::from("NaN"));
        assert_eq!(back[4].1, Value::I64(7));
        let nested = read_fields(2, r#"{"n":{"a":[1,{"b":2}]},"m":"}"}"#).unwrap();
        assert_eq!(nested[0].0, "n");
        assert_eq!(nested[0].1, Value::from(r#"{"a":[1,{"b":2}]}"#));
        assert_eq!(nested[1].0, "m");
        assert_eq!(
            read_fields(3, "[1]").unwrap_err().kind(),
            ErrorKind::Corrupt
        );
    }

    #[test]
    fn thread_text() {
        let t = parse_thread("worker#1#42");
        assert_eq!((t.id, t.name.as_deref()), (42, Some("worker#1")));
        let t = parse_thread("#3");
        assert_eq!((t.id, t.name), (3, None));
        let t = parse_thread("main");
        assert_eq!((t.id, t.name.as_deref()), (0, Some("main")));
    }
}
