//! Fixtures shared by the store's integration tests: realistic records, the value mapping the
//! store promises on read-back, and a raw connection to look at the rows themselves.
#![allow(dead_code)]
// The fixtures pick cases with `i % n`; `== 0` reads alongside the other remainders.
#![allow(clippy::manual_is_multiple_of)]

use std::path::Path;
use std::sync::Arc;

use hwlog_core::context::ContextData;
use hwlog_core::{Level, Record, SharedStr, ThreadInfo, Timestamp, Value};
use hwlog_store::{SqliteOptions, SqliteStore};

/// 2026-01-01T00:00:00Z in nanoseconds.
pub const T0: i64 = 1_767_225_600_000_000_000;
pub const MS: i64 = 1_000_000;

pub const COMPONENTS: [&str; 7] = [
    "hwautomation.hardware.ipmi",
    "hwautomation.hardware.redfish",
    "hwautomation.api",
    "db.pool",
    "hyper.client",
    "hyperion.core",
    "ünïcode.模块",
];

pub fn open(dir: &Path) -> SqliteStore {
    SqliteStore::open(dir.join("logs.db"), SqliteOptions::default()).unwrap()
}

pub fn raw(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("logs.db")).unwrap()
}

pub fn raw_count(conn: &rusqlite::Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
        r.get(0)
    })
    .unwrap()
}

/// The `i`-th record of a deterministic, varied set: every level, seven components, seven
/// correlation ids and none, timestamps `T0 + i ms`, awkward field values and texts.
pub fn record(i: usize) -> Record {
    let level = Level::ALL[(i * 7 + i / 6) % 6];
    let component = COMPONENTS[(i * 3 + i / 7) % COMPONENTS.len()];
    let message = match i % 6 {
        0 => format!("power on node-{i} succeeded"),
        1 => format!("fan speed low on node-{i}: 1200 rpm"),
        2 => format!("query took {} ms", i * 13 % 997),
        3 => format!("Grüße aus Köln 日本語 🚀 record {i}"),
        4 => format!(r#"{{"nested": [1, 2, {{"x": "y"}}]}} payload {i}"#),
        _ => format!("quote \" and ' and -- DROP TABLE logs; line\nbreak {i}"),
    };
    let mut r = Record::new(level, component, message);
    r.timestamp = Timestamp::from_nanos(T0 + i as i64 * MS);
    r.correlation_id = (i % 8 != 0).then(|| SharedStr::from(format!("req-{}", i % 7)));
    r.thread = ThreadInfo {
        id: (i % 4) as u64 + 1,
        name: (i % 3 != 0).then(|| SharedStr::from(format!("worker#{}", i % 3))),
    };
    r.pid = 4242;
    if i % 2 == 0 {
        r.file = Some(SharedStr::from("src/hardware/ipmi.rs"));
        r.line = Some(100 + i as u32);
    }
    if i % 9 == 0 {
        r.error = Some("connect failed: timed out: os error 110".into());
    }
    match i % 5 {
        0 => r.push_field("host", format!("node-{}", i % 10)),
        1 => {
            r.context = Some(Arc::new(ContextData {
                host: Some(SharedStr::from(format!("bmc-{}", i % 4))),
                ..ContextData::default()
            }))
        }
        2 => r.push_field("host", 10u64 + i as u64),
        _ => {}
    }
    r.push_field("attempt", (i % 4) as i64 - 1);
    r.push_field("ratio", i as f64 / 8.0);
    if i % 3 == 0 {
        r.push_field("nan", f64::NAN);
        r.push_field("inf", f64::NEG_INFINITY);
        r.push_field("big", u64::MAX);
        r.push_field("count", 7u32);
    }
    if i % 4 == 1 {
        r.push_field("raw", Value::Bytes(vec![b'o', 0xff, 0xfe, b'k']));
        r.push_field("json_text", r#"{"a":[1,2],"b":"}"}"#);
        r.push_field("dup", 1);
        r.push_field("ok", true);
        r.push_field("none", Value::Null);
        r.push_field("dup", "second");
        r.push_field("ключ", "значение ✓");
    }
    r
}

pub fn records(range: std::ops::Range<usize>) -> Vec<Record> {
    range.map(record).collect()
}

/// The value the store gives back for `v`.
pub fn stored_value(v: &Value) -> Value {
    match v {
        Value::U64(u) if *u <= i64::MAX as u64 => Value::I64(*u as i64),
        Value::F64(f) if !f.is_finite() => Value::from(v.to_string()),
        Value::Bytes(_) => Value::from(v.to_string()),
        other => other.clone(),
    }
}

/// The fields the store gives back: a repeated key keeps its last value and position.
pub fn stored_fields(fields: &[(SharedStr, Value)]) -> Vec<(String, Value)> {
    fields
        .iter()
        .enumerate()
        .filter(|(i, (k, _))| !fields[i + 1..].iter().any(|(k2, _)| k2 == k))
        .map(|(_, (k, v))| (k.to_string(), stored_value(v)))
        .collect()
}

/// Asserts that `got` is what storing `want` should give back.
pub fn assert_same(got: &Record, want: &Record) {
    assert_eq!(got.timestamp, want.timestamp);
    assert_eq!(got.level, want.level);
    assert_eq!(got.component, want.component);
    assert_eq!(got.message, want.message);
    assert_eq!(got.correlation_id, want.correlation_id);
    assert_eq!(got.thread, want.thread);
    assert_eq!(got.pid, want.pid);
    assert_eq!(got.file, want.file);
    assert_eq!(got.line, want.line);
    assert_eq!(got.error, want.error);
    let got_fields: Vec<(String, Value)> = got
        .fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    assert_eq!(got_fields, stored_fields(&want.fields), "{}", want.message);
    let ctx_host = |r: &Record| r.context.as_ref().and_then(|c| c.host.clone());
    assert_eq!(ctx_host(got), ctx_host(want));
}
