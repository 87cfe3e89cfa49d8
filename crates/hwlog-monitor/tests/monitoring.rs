//! Log parsing, the aggregator's incremental collection, and the analyzer over a store.
use std::io::Write;
use std::sync::Arc;

use hwlog::format::Json;
use hwlog::{Format, Level, Record, Timestamp};
use hwlog_analysis::trends::TrendLabel;
use hwlog_decode::lines::{parse_line, parse_time, LineFormat};
use hwlog_monitor::{LogAggregator, LogAnalyzer, SourceFormat};
use hwlog_store::{Query, SqliteStore, Store};

const NOW: i64 = 1_790_000_000_000_000_000; // 2026-09-21
const MIN: i64 = 60_000_000_000;

#[test]
fn hwlog_json_lines_parse_back_into_the_same_record() {
    let mut r = Record::new(
        Level::Warning,
        "hardware.ipmi",
        "fan \"3\" slow\nsecond line",
    )
    .with_field("host", "bmc-7")
    .with_field("rpm", 1200u64)
    .with_field("ratio", 0.5)
    .with_field("ok", false);
    r.correlation_id = Some("req-9".into());
    r.timestamp = Timestamp::from_nanos(NOW + 123_456_000);
    let mut line = Vec::new();
    Json::new(hwlog::format::TimeZone::Utc).format(&r, &mut line);
    let back = parse_line(
        &LineFormat::Json,
        std::str::from_utf8(&line).unwrap(),
        "x",
        0,
    )
    .unwrap();
    assert_eq!(back.level, Level::Warning);
    assert_eq!(back.component.as_str(), "hardware.ipmi");
    assert_eq!(back.message, "fan \"3\" slow\nsecond line");
    assert_eq!(back.correlation_id.as_deref(), Some("req-9"));
    assert_eq!(back.timestamp, r.timestamp);
    assert_eq!(back.field("host").unwrap().as_str(), Some("bmc-7"));
    assert_eq!(back.field("rpm"), Some(&hwlog::Value::U64(1200)));
    assert_eq!(back.field("ratio"), Some(&hwlog::Value::F64(0.5)));
    assert_eq!(back.field("ok"), Some(&hwlog::Value::Bool(false)));
}

#[test]
fn structured_syslog_and_plain_lines() {
    let s = parse_line(
        &LineFormat::Structured,
        "2026-11-24T08:15:00.250000Z - req-1 - bios.config - ERROR - setting VT-x rejected",
        "x",
        0,
    )
    .unwrap();
    assert_eq!(
        (s.level, s.component.as_str()),
        (Level::Error, "bios.config")
    );
    assert_eq!(s.correlation_id.as_deref(), Some("req-1"));
    assert_eq!(s.message, "setting VT-x rejected");
    assert_eq!(
        s.timestamp.as_nanos(),
        parse_time("2026-11-24T08:15:00.25Z").unwrap()
    );

    let r5424 = parse_line(
        &LineFormat::Syslog,
        "<11>1 2026-11-24T08:15:00Z node-7 ipmid 4242 ID47 - power supply 2 lost input",
        "x",
        0,
    )
    .unwrap();
    assert_eq!(
        (r5424.level, r5424.component.as_str()),
        (Level::Error, "ipmid")
    );
    assert_eq!(r5424.pid, 4242);
    assert_eq!(r5424.field("host").unwrap().as_str(), Some("node-7"));
    assert_eq!(r5424.message, "power supply 2 lost input");

    let now = parse_time("2026-11-24T12:00:00Z").unwrap();
    let r3164 = parse_line(
        &LineFormat::Syslog,
        "Nov 24 08:15:01 node-7 sshd[901]: Failed password for root from 10.0.0.9",
        "x",
        now,
    )
    .unwrap();
    assert_eq!(r3164.component.as_str(), "sshd");
    assert_eq!(r3164.level, Level::Error); // guessed from "Failed"
    assert_eq!(
        r3164.timestamp.as_nanos(),
        parse_time("2026-11-24T08:15:01Z").unwrap()
    );
    assert_eq!(r3164.pid, 901);

    let re =
        regex::Regex::new(r"^\[(?P<ts>[^\]]+)\] (?P<level>\w+) (?P<component>[\w.]+):").unwrap();
    let p = parse_line(
        &LineFormat::Plain(re.clone()),
        "[2026-11-24 08:15:02] warn firmware.flash: image checksum retry",
        "fw",
        0,
    )
    .unwrap();
    assert_eq!(
        (p.level, p.component.as_str()),
        (Level::Warning, "firmware.flash")
    );
    assert_eq!(p.message, "image checksum retry");
    assert_eq!(
        p.timestamp.as_nanos(),
        parse_time("2026-11-24T08:15:02Z").unwrap()
    );
    let other = parse_line(&LineFormat::Plain(re), "free text", "fw", 7).unwrap();
    assert_eq!(
        (
            other.component.as_str(),
            other.message.as_ref(),
            other.timestamp.as_nanos()
        ),
        ("fw", "free text", 7)
    );
    assert!(parse_line(&LineFormat::Json, "not json", "x", 0).is_none());
    assert!(matches!(LineFormat::detect("{\"a\":1}"), LineFormat::Json));
    assert!(matches!(
        LineFormat::detect("2026-11-24T08:15:00Z - - - a - INFO - m"),
        LineFormat::Structured
    ));
    assert!(matches!(
        LineFormat::detect("Nov 24 08:15:01 h p: m"),
        LineFormat::Syslog
    ));
}

fn messages(store: &SqliteStore) -> Vec<String> {
    let mut v: Vec<String> = store
        .query(&Query {
            limit: 10_000,
            ..Query::default()
        })
        .unwrap()
        .records
        .into_iter()
        .map(|r| r.record.message.to_string())
        .collect();
    v.reverse();
    v
}

#[test]
fn aggregator_collects_incrementally_and_never_twice() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("svc.log");
    let store = Arc::new(SqliteStore::open(dir.path().join("all.db"), Default::default()).unwrap());
    let make = || {
        let mut a = LogAggregator::new(store.clone());
        a.add_source("svc", &log, SourceFormat::Lines(LineFormat::Structured))
            .unwrap();
        a.add_processor(|r| (r.level >= Level::Info).then_some(r));
        a.add_processor(|r| Some(r.with_field("source", "svc")));
        a
    };
    let line =
        |i: u32, level: &str| format!("2026-11-24T08:00:{i:02}Z - - - svc - {level} - event {i}\n");
    let mut f = std::fs::File::create(&log).unwrap();
    for i in 0..3 {
        f.write_all(line(i, "INFO").as_bytes()).unwrap();
    }
    f.write_all(line(3, "DEBUG").as_bytes()).unwrap();
    let a = make();
    let rep = a.collect();
    assert_eq!(
        (rep[0].stored, rep[0].dropped, rep[0].error.clone()),
        (3, 1, None)
    );
    // Two more lines and half of a third: the half waits.
    f.write_all(line(4, "INFO").as_bytes()).unwrap();
    f.write_all(line(5, "ERROR").as_bytes()).unwrap();
    f.write_all(b"2026-11-24T08:00:06Z - - - svc - INFO - ev")
        .unwrap();
    assert_eq!(a.collect()[0].stored, 2);
    f.write_all(b"ent 6\n").unwrap();
    assert_eq!(a.collect()[0].stored, 1);
    assert_eq!(a.collect()[0].stored, 0);
    // A restart (new aggregator, same store) resumes from the stored cursor.
    drop(a);
    assert_eq!(make().collect()[0].stored, 0);
    assert_eq!(
        messages(&store),
        ["event 0", "event 1", "event 2", "event 4", "event 5", "event 6"]
    );
    let q = store
        .query(&Query {
            limit: 1,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(
        q.records[0].record.field("source").unwrap().as_str(),
        Some("svc")
    );

    // logrotate: the file is moved away and a new one starts; it is read from its start.
    std::fs::rename(&log, dir.path().join("svc.log.1")).unwrap();
    let mut f = std::fs::File::create(&log).unwrap();
    f.write_all(line(7, "INFO").as_bytes()).unwrap();
    assert_eq!(make().collect()[0].stored, 1);
    // Truncated in place (copytruncate): read from the start again.
    drop(f);
    std::fs::write(&log, line(8, "INFO")).unwrap();
    assert_eq!(make().collect()[0].stored, 1);
    assert_eq!(messages(&store).len(), 8);
}

#[test]
fn aggregator_reads_other_hwlog_databases_and_survives_a_missing_source() {
    let dir = tempfile::tempdir().unwrap();
    let other = SqliteStore::open(dir.path().join("other.db"), Default::default()).unwrap();
    let recs: Vec<Record> = (0..7_003)
        .map(|i| Record::new(Level::Info, "other", format!("r{i}")))
        .collect();
    other.insert_batch(&recs[..7_000]).unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("all.db"), Default::default()).unwrap());
    let mut a = LogAggregator::new(store.clone());
    a.add_source("missing", dir.path().join("nope.log"), SourceFormat::Detect)
        .unwrap();
    a.add_source(
        "other",
        dir.path().join("other.db"),
        SourceFormat::Sqlite {
            table: "logs".into(),
        },
    )
    .unwrap();
    assert!(a.add_source("other", "x", SourceFormat::Detect).is_err());
    let rep = a.collect();
    assert!(
        rep[0].error.as_deref().unwrap().contains("nope.log"),
        "{rep:?}"
    );
    assert_eq!((rep[1].stored, rep[1].read), (7_000, 7_000));
    other.insert_batch(&recs[7_000..]).unwrap();
    assert_eq!(a.collect()[1].stored, 3);
    assert_eq!(store.count().unwrap(), 7_003);
    let last = store
        .query(&Query {
            limit: 1,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(last.records[0].record.message, "r7002");
}

#[test]
fn analyzer_over_a_store_with_an_injected_clock() {
    let store = Arc::new(SqliteStore::open_in_memory(Default::default()).unwrap());
    let mut recs = Vec::new();
    for i in 0..40i64 {
        let mut r = Record::new(Level::Info, "hardware.discovery", "scan done")
            .with_field("duration_ms", 100 + 5 * i as u64);
        r.timestamp = Timestamp::from_nanos(NOW - (40 - i) * 3 * MIN + MIN);
        recs.push(r);
        if i % 4 == 0 {
            let mut e = Record::new(
                Level::Error,
                "hardware.ipmi",
                format!("BMC 10.0.0.{i} timed out"),
            );
            e.timestamp = Timestamp::from_nanos(NOW - (40 - i) * 3 * MIN + MIN);
            recs.push(e);
        }
    }
    // Old records outside a two-hour window.
    let mut old = Record::new(Level::Error, "hardware.ipmi", "ancient failure");
    old.timestamp = Timestamp::from_nanos(NOW - 5 * 60 * MIN);
    recs.push(old);
    store.insert_batch(&recs).unwrap();
    let an = LogAnalyzer::new(store).with_clock(|| NOW);
    let errors = an.analyze_error_patterns(2.0).unwrap();
    assert_eq!(errors.total_errors, 10);
    assert_eq!(errors.patterns.len(), 1);
    assert_eq!(errors.patterns[0].template, "BMC <*> timed out");
    assert_eq!(errors.patterns[0].rate_per_hour, 5.0);
    let trends = an
        .analyze_performance_trends(Some("hardware.*"), 2.0)
        .unwrap();
    assert_eq!(trends.len(), 1);
    assert_eq!(trends[0].count, 40);
    assert_eq!(trends[0].label, TrendLabel::Increasing);
    assert!(
        (trends[0].slope_ms_per_hour - 100.0).abs() < 1e-6,
        "{}",
        trends[0].slope_ms_per_hour
    );
    let all = an.analyze_error_patterns(24.0).unwrap();
    assert_eq!(all.total_errors, 11);
    assert!(an.detect_anomalies(2.0).unwrap().is_empty());
}
