//! The SQLite handler: rows in the database, one transaction per batch, retries then spill,
//! retention; the activity feed; the development profile stores and streams.
#![cfg(feature = "sqlite")]
use std::sync::Arc;
use std::time::{Duration, Instant};

use hwlog::activity::{activities, log_activity, set_store, ActivityLevel};
use hwlog::format::{Json, TimeZone};
use hwlog::nonblocking::NonBlockingOptions;
use hwlog::pipeline::Route;
use hwlog::sink::sqlite::{SqliteSink, SqliteSinkOptions};
use hwlog::{testing, Level, Overrides, Record, Sink};
use hwlog_store::{Query, SqliteOptions, SqliteStore, Store};

fn rec(i: usize) -> Record {
    let mut r = Record::new(
        Level::Info,
        "hwautomation.bios",
        format!("setting {i} applied"),
    );
    r.correlation_id = Some(format!("req-{}", i % 3).into());
    r.push_field("host", "node-7");
    r
}

#[test]
fn batches_become_rows_with_search() {
    let dir = tempfile::tempdir().unwrap();
    let sink = Arc::new(
        SqliteSink::open(dir.path().join("logs.db"), SqliteSinkOptions::default()).unwrap(),
    );
    let route = Route::new(
        "db",
        Level::Trace,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        sink.clone(),
    )
    .non_blocking(NonBlockingOptions::default());
    for i in 0..5_000 {
        route.process(rec(i));
    }
    let mut special = Record::new(
        Level::Error,
        "hwautomation.hardware.ipmi",
        "BMC handshake timeout on node-9",
    );
    special.push_field("bmc", "10.0.0.9");
    route.process(special);
    route.flush().unwrap();
    let store = sink.store();
    assert_eq!(store.count().unwrap(), 5_001);
    let hits = store
        .query(&Query {
            text: Some("handshake".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hits.records.len(), 1);
    let got = &hits.records[0].record;
    assert_eq!(got.level, Level::Error);
    assert_eq!(got.component.as_str(), "hwautomation.hardware.ipmi");
    let req1 = store
        .query(&Query {
            correlation_id: Some("req-1".into()),
            limit: 10_000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(req1.records.len(), 1_667);
    assert_eq!(route.status().counters.emitted, 5_001);
}

#[test]
fn a_locked_database_is_retried_then_spilled_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.db");
    let store = Arc::new(
        SqliteStore::open(
            &db,
            SqliteOptions::default().with_busy_timeout(Duration::from_millis(20)),
        )
        .unwrap(),
    );
    let opts = SqliteSinkOptions {
        attempts: 3,
        backoff: Duration::from_millis(10),
        ..Default::default()
    };
    let sink = SqliteSink::with_store(store.clone(), &db, opts);
    // Another connection holds the write lock.
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let t = Instant::now();
    let err = sink.write(&rec(1), b"").unwrap_err();
    assert!(
        t.elapsed() >= Duration::from_millis(30),
        "retried with backoff"
    );
    assert!(err.to_string().contains("records written to"), "{err}");
    assert_eq!(sink.spilled(), 1);
    let spill = std::fs::read_to_string(sink.spill_path()).unwrap();
    assert!(spill.contains("\"message\":\"setting 1 applied\""));
    // The lock clears: writes go to the database again.
    other.execute_batch("COMMIT").unwrap();
    sink.write(&rec(2), b"").unwrap();
    assert_eq!(store.count().unwrap(), 1);
}

#[test]
fn retention_keeps_at_most_max_rows_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SqliteSinkOptions {
        max_rows: Some(10),
        retention_interval: Duration::from_millis(20),
        ..Default::default()
    };
    let sink = SqliteSink::open(dir.path().join("r.db"), opts).unwrap();
    let batch: Vec<Record> = (0..50).map(rec).collect();
    for r in &batch {
        sink.write(r, b"").unwrap();
    }
    let t = Instant::now();
    while sink.store().count().unwrap() > 10 {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "retention did not run"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let page = sink.store().query(&Query::default()).unwrap();
    assert_eq!(
        page.records[0].record.message, "setting 49 applied",
        "the newest are kept"
    );
}

#[test]
fn activity_feed_newest_first_and_by_component() {
    let _serial = testing::lock();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("act.db"), SqliteOptions::default()).unwrap();
    set_store(Arc::new(store));
    log_activity(
        "hardware.ipmi",
        "power_on",
        "node-7 on",
        ActivityLevel::Success,
        serde_json::json!({"bmc": "10.0.0.5"}),
    )
    .unwrap();
    log_activity(
        "bios",
        "apply",
        "BootMode=Uefi",
        ActivityLevel::Info,
        serde_json::Value::Null,
    )
    .unwrap();
    log_activity(
        "hardware.ipmi",
        "power_off",
        "node-7 off",
        ActivityLevel::Warning,
        serde_json::Value::Null,
    )
    .unwrap();
    let all = activities(None, 10).unwrap();
    let actions: Vec<_> = all.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["power_off", "apply", "power_on"]);
    let ipmi = activities(Some("hardware.ipmi"), 10).unwrap();
    assert_eq!(ipmi.len(), 2);
    assert_eq!(ipmi[1].level, ActivityLevel::Success);
    assert_eq!(ipmi[1].details.as_ref().unwrap()["bmc"], "10.0.0.5");
}

#[test]
fn development_profile_stores_records_in_sqlite() {
    let _serial = testing::lock();
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let guard = hwlog::setup_logging_with(
        "development",
        &Overrides::new().log_dir(logs.to_string_lossy().to_string()),
    )
    .unwrap();
    let log = hwlog::get_logger("hwautomation.discovery");
    for i in 0..100 {
        log.at(Level::Info).field("i", i).log("node discovered");
    }
    drop(guard);
    let st = hwlog::logging_status();
    let ws = st.routes.iter().find(|r| r.name == "websocket").unwrap();
    assert!(ws.sink.starts_with("websocket:127.0.0.1:"), "{}", ws.sink);
    let store = SqliteStore::open(logs.join("development.db"), SqliteOptions::default()).unwrap();
    assert_eq!(store.count().unwrap(), 100);
    let text = std::fs::read_to_string(logs.join("development.log")).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("node discovered"))
            .count(),
        100
    );
    hwlog::reconfigure_logging("testing").unwrap();
}
