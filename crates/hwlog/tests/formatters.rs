//! Exact output of every formatter.
use hwlog::format::{Dashboard, Debug, Json, Multiline, Performance, Structured, TimeZone};
use hwlog::{Format, Level, Record, Timestamp, Value};
use hwlog_core::ThreadInfo;

/// 2026-11-24T05:00:00.123456Z
const TS: i64 = 1_795_496_400_123_456_789;

fn rec(level: Level, msg: &'static str) -> Record {
    let mut r = Record::new(level, "hwautomation.hardware.ipmi", msg);
    r.timestamp = Timestamp::from_nanos(TS);
    r.thread = ThreadInfo {
        id: 3,
        name: Some("worker-1".into()),
    };
    r.pid = 4242;
    r.correlation_id = None;
    r.context = None;
    r
}

fn full() -> Record {
    let mut r = rec(Level::Warning, "power state changed");
    r.correlation_id = Some("req-12345".into());
    r.push_field("bmc", "10.0.0.5");
    r.push_field("attempt", 2u64);
    r.push_field("took", 1.5f64);
    r.push_field("note", "two words");
    r.file = Some("src/ipmi.rs".into());
    r.line = Some(42);
    r
}

fn out(f: &dyn Format, r: &Record) -> String {
    let mut v = Vec::new();
    f.format(r, &mut v);
    String::from_utf8(v).unwrap()
}

#[test]
fn structured_exact() {
    let f = Structured::new(TimeZone::Utc);
    assert_eq!(
        out(&f, &full()),
        "2026-11-24T05:00:00.123456Z - req-12345 - hwautomation.hardware.ipmi - WARNING - power state changed bmc=10.0.0.5 attempt=2 took=1.5 note=\"two words\"\n"
    );
    let mut r = rec(Level::Error, "failed");
    r.error = Some("connect: refused".into());
    assert_eq!(
        out(&f, &r),
        "2026-11-24T05:00:00.123456Z - - - hwautomation.hardware.ipmi - ERROR - failed error=\"connect: refused\"\n"
    );
}

#[test]
fn json_exact_and_parsable() {
    let f = Json::new(TimeZone::Utc);
    let mut r = full();
    r.push_field("attempt", 3u64); // duplicate key: last wins, once
    r.error = Some("timeout: no answer".into());
    let s = out(&f, &r);
    assert_eq!(
        s,
        "{\"timestamp\":\"2026-11-24T05:00:00.123456Z\",\"level\":\"WARNING\",\"component\":\"hwautomation.hardware.ipmi\",\"message\":\"power state changed\",\"correlation_id\":\"req-12345\",\"thread\":\"worker-1\",\"thread_id\":3,\"pid\":4242,\"file\":\"src/ipmi.rs\",\"line\":42,\"fields\":{\"bmc\":\"10.0.0.5\",\"took\":1.5,\"note\":\"two words\",\"attempt\":3},\"error\":\"timeout: no answer\"}\n"
    );
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["fields"]["attempt"], 3);
    let s = out(&f, &rec(Level::Info, "x"));
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert!(v["correlation_id"].is_null());
    assert!(v.get("error").is_none());
}

#[test]
fn dashboard_exact_and_width() {
    let f = Dashboard::default();
    assert_eq!(
        out(&f, &full()),
        "2026-11-24T05:00:00.123456Z [log-warning] hwautomation.hardware.ipmi: power state changed\n"
    );
    let f = Dashboard::new(TimeZone::Utc, 10);
    assert_eq!(
        out(&f, &rec(Level::Info, "0123456789abcdef")),
        "2026-11-24T05:00:00.123456Z [log-info] hwautomation.hardware.ipmi: 0123456...\n"
    );
    let long: String = "x".repeat(250);
    let mut r = rec(Level::Info, "");
    r.message = long.into();
    let s = out(&Dashboard::default(), &r);
    assert!(s.ends_with(&format!("{}...\n", "x".repeat(197))));
}

#[test]
fn debug_exact_and_missing_parts() {
    let f = Debug::new(TimeZone::Utc).with_start(TS - 1_500_000_000);
    assert_eq!(
        out(&f, &full()),
        "2026-11-24T05:00:00.123456Z +1500ms [WARNING] hwautomation.hardware.ipmi (src/ipmi.rs:42) [worker-1#3] [cid:req-1234] power state changed bmc=10.0.0.5 attempt=2 took=1.5 note=\"two words\"\n"
    );
    let mut r = rec(Level::Debug, "no id");
    r.thread.name = None;
    assert_eq!(
        out(&f, &r),
        "2026-11-24T05:00:00.123456Z +1500ms [DEBUG] hwautomation.hardware.ipmi (?:?) [#3] [cid:-] no id\n"
    );
}

#[test]
fn performance_exact() {
    let f = Performance::new(TimeZone::Utc);
    assert_eq!(
        out(&f, &full()),
        "2026-11-24T05:00:00.123456Z W hwautomation.hardware.ipmi power state changed\n"
    );
    let mut r = rec(Level::Critical, "bmc lost");
    r.error = Some("link down".into());
    assert_eq!(
        out(&f, &r),
        "2026-11-24T05:00:00.123456Z C hwautomation.hardware.ipmi bmc lost error=link down\n"
    );
}

#[test]
fn multiline_indents_and_passes_through() {
    let f = Multiline::new(Box::new(Structured::new(TimeZone::Utc)), "  | ");
    let mut r = rec(
        Level::Error,
        "firmware update failed:\nstep 1 ok\nstep 2 \u{1b}failed",
    );
    r.error = Some("Traceback:\n  at flash()".into());
    assert_eq!(
        out(&f, &r),
        "2026-11-24T05:00:00.123456Z - - - hwautomation.hardware.ipmi - ERROR - firmware update failed: error=Traceback:\n  | step 1 ok\n  | step 2 \\u{1b}failed\n  |   at flash()\n"
    );
    let plain = rec(Level::Info, "one line");
    assert_eq!(
        out(&f, &plain),
        out(&Structured::new(TimeZone::Utc), &plain)
    );
}

#[test]
fn line_formats_escape_newlines_and_control_chars() {
    let mut r = rec(Level::Info, "a\nb\r\tc\u{7}");
    r.push_field("k\nx", "v\nw");
    for f in [
        &Structured::default() as &dyn Format,
        &Dashboard::default(),
        &Debug::default(),
        &Performance::default(),
        &Json::default(),
    ] {
        let s = out(f, &r);
        assert_eq!(s.matches('\n').count(), 1, "{}: {s:?}", f.name());
        assert!(s.ends_with('\n'));
        assert!(!s.contains('\u{7}'), "{}", f.name());
    }
}

#[test]
fn local_time_has_offset_or_z() {
    let s = out(&Structured::new(TimeZone::Local), &rec(Level::Info, "x"));
    let ts = s.split(' ').next().unwrap();
    assert!(
        ts.ends_with('Z') || ts[ts.len() - 6..].starts_with(['+', '-']),
        "{ts}"
    );
}

#[test]
fn any_value_formats_without_panic() {
    let huge = "é".repeat(1 << 20);
    let values = vec![
        Value::F64(f64::NAN),
        Value::F64(f64::INFINITY),
        Value::F64(f64::NEG_INFINITY),
        Value::F64(-0.0),
        Value::I64(i64::MIN),
        Value::U64(u64::MAX),
        Value::Bytes(vec![0xff, 0xfe, b'a', 0xc3]),
        Value::from(huge),
        Value::from("\u{0}\u{1b}[2J\u{7f}\"\\"),
        Value::Null,
    ];
    let mut r = rec(Level::Info, "values");
    for (i, v) in values.into_iter().enumerate() {
        r.push_field(format!("f{i}"), v);
    }
    for f in [
        &Structured::default() as &dyn Format,
        &Dashboard::default(),
        &Debug::default(),
        &Performance::default(),
        &Json::default(),
    ] {
        let s = out(f, &r);
        assert_eq!(s.matches('\n').count(), 1);
    }
    let j = out(&Json::default(), &r);
    let v: serde_json::Value = serde_json::from_str(&j).expect("valid JSON");
    assert_eq!(v["fields"]["f0"], "NaN");
    assert_eq!(v["fields"]["f6"], "\\xFF\\xFEa\\xC3");
    assert_eq!(v["fields"]["f8"], "\u{0}\u{1b}[2J\u{7f}\"\\");
}

/// The `json` formatter writes exactly what the shared record codec writes, and a strict JSON
/// reader reads it back: every escape, DEL, U+2028, bytes, NaN, huge and tiny floats, repeated
/// keys.
#[test]
fn json_formatter_is_the_shared_codec() {
    use hwlog::format::{Json, TimeZone};
    use hwlog::{Format, Value};
    for rec in hwlog_core::json::hostile_records() {
        let mut got = Vec::new();
        Json::new(TimeZone::Utc).format(&rec, &mut got);
        let mut want = Vec::new();
        hwlog_core::json::write_record(&rec, &mut want);
        want.push(b'\n');
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
        let v: serde_json::Value = serde_json::from_slice(&got).unwrap();
        assert_eq!(v["message"], rec.message.as_ref());
        assert_eq!(v["component"], rec.component.as_str());
        for (k, _) in &rec.fields {
            // A repeated key keeps its last value.
            let val = &rec.fields.iter().rev().find(|(k2, _)| k2 == k).unwrap().1;
            let j = &v["fields"][k.as_str()];
            match val {
                Value::F64(f) if f.is_finite() => assert_eq!(j.as_f64(), Some(*f), "{k}"),
                Value::F64(_) => assert!(j.is_string(), "{k}"),
                Value::Str(s) => assert_eq!(j, s.as_ref(), "{k}"),
                Value::U64(u) => assert_eq!(j.as_u64(), Some(*u), "{k}"),
                Value::I64(i) => assert_eq!(j.as_i64(), Some(*i), "{k}"),
                Value::Bytes(_) => assert_eq!(j, val.to_string().as_str(), "{k}"),
                Value::Bool(b) => assert_eq!(j.as_bool(), Some(*b), "{k}"),
                Value::Null => assert!(j.is_null(), "{k}"),
            }
        }
    }
}
