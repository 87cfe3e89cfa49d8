//! The SQLite store: round trips, table names, migrations and the activity feed, checked
//! against the rows in the database file (the filters, on every backend, are in
//! `compliance.rs`).
mod common;

use common::*;
use hwlog_core::Timestamp;
use hwlog_store::{
    Activity, ActivityLevel, ErrorKind, Query, SqliteOptions, SqliteStore, Store, SCHEMA_VERSION,
};

#[test]
fn batch_round_trips_and_rows_hold_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let recs = records(0..60);
    assert_eq!(store.insert_batch(&recs).unwrap(), 60);
    assert_eq!(store.insert_batch(&[]).unwrap(), 0);

    let conn = raw(dir.path());
    assert_eq!(raw_count(&conn, "logs"), 60);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let mut stmt = conn
        .prepare("SELECT id, ts, level, component, message, correlation_id, fields, thread, pid, file, line, host, error FROM logs ORDER BY id")
        .unwrap();
    let rows: Vec<_> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                (r.get::<_, i64>(8)?, r.get::<_, Option<String>>(9)?),
                (
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                ),
                r.get::<_, Option<String>>(12)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (i, (row, rec)) in rows.iter().zip(&recs).enumerate() {
        assert_eq!(row.1, T0 + i as i64 * MS);
        assert_eq!(row.2, rec.level as i64);
        assert_eq!(row.3, rec.component.as_str());
        assert_eq!(row.4, rec.message);
        assert_eq!(row.5.as_deref(), rec.correlation_id.as_deref());
        let fields: serde_json::Value = serde_json::from_str(row.6.as_deref().unwrap()).unwrap();
        assert_eq!(fields["ratio"], i as f64 / 8.0);
        if i % 3 == 0 {
            assert_eq!(fields["nan"], "NaN");
            assert_eq!(fields["inf"], "-inf");
            assert_eq!(fields["big"], u64::MAX);
        }
        if i % 4 == 1 {
            assert_eq!(fields["raw"], r"o\xFF\xFEk");
            assert_eq!(fields["dup"], "second");
            assert_eq!(fields["json_text"], r#"{"a":[1,2],"b":"}"}"#);
        }
        assert_eq!(
            row.7,
            format!(
                "{}#{}",
                rec.thread.name.as_deref().unwrap_or(""),
                rec.thread.id
            )
        );
        assert_eq!(row.8 .0, 4242);
        assert_eq!(row.9 .0, rec.line.map(i64::from));
        let host = match i % 5 {
            0 => Some(format!("node-{}", i % 10)),
            1 => Some(format!("bmc-{}", i % 4)),
            2 => Some((10 + i).to_string()),
            _ => None,
        };
        assert_eq!(row.9 .1, host, "row {i}");
        assert_eq!(row.10, rec.error);
    }

    // Read back through the store: by id and by query.
    for (row, rec) in rows.iter().zip(&recs) {
        let got = store.get(row.0).unwrap().unwrap();
        assert_eq!(got.id, row.0);
        assert_same(&got.record, rec);
    }
    assert!(store.get(10_000).unwrap().is_none());
    let page = store.query(&Query::default()).unwrap();
    assert_eq!(page.records.len(), 60);
    assert_eq!(page.next_cursor, None);
    for (got, rec) in page.records.iter().zip(recs.iter().rev()) {
        assert_same(&got.record, rec);
    }
    assert_eq!(store.count().unwrap(), 60);
}

#[test]
fn invalid_table_names_are_rejected_before_touching_disk() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "",
        "1x",
        "logs; DROP TABLE logs",
        "a-b",
        "\"q\"",
        "sqlite_x",
        "naïve",
        &"x".repeat(64),
    ] {
        let opts = SqliteOptions::default().with_table(bad);
        let e = SqliteStore::open(dir.path().join("sub/x.db"), opts).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidName, "{bad:?}");
    }
    assert!(!dir.path().join("sub").exists());
    let ok = SqliteStore::open(
        dir.path().join("x.db"),
        SqliteOptions::default().with_table("_Audit_2"),
    )
    .unwrap();
    assert_eq!(ok.table(), "_Audit_2");
}

#[test]
fn migrations_run_once_and_tables_share_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let objects = |c: &rusqlite::Connection| -> Vec<String> {
        let mut s = c
            .prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY name")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let first = open(dir.path());
    first.insert_batch(&records(0..10)).unwrap();
    let before = objects(&raw(dir.path()));
    for want in [
        "table logs",
        "table logs_activity",
        "table logs_blocks",
        "table logs_cols",
        "index logs_blocks_last_id",
    ] {
        assert!(before.iter().any(|o| o == want), "{want} in {before:?}");
    }
    // The row store's full-text and B-tree indexes are gone: the head has only its ids.
    for gone in ["logs_fts", "logs_ts", "logs_level_ts", "logs_fts_ad"] {
        assert!(
            !before.iter().any(|o| o.ends_with(gone)),
            "{gone} in {before:?}"
        );
    }
    drop(first);
    for _ in 0..3 {
        let again = open(dir.path());
        assert_eq!(again.count().unwrap(), 10);
    }
    let conn = raw(dir.path());
    assert_eq!(objects(&conn), before);
    let v: i64 = conn
        .query_row(
            "SELECT version FROM hwlog_schema WHERE name = 'logs'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION as i64);

    let audit = SqliteStore::open(
        dir.path().join("logs.db"),
        SqliteOptions::default().with_table("audit"),
    )
    .unwrap();
    audit.insert_batch(&records(0..3)).unwrap();
    assert_eq!(
        (raw_count(&conn, "logs"), raw_count(&conn, "audit")),
        (10, 3)
    );

    conn.execute(
        "UPDATE hwlog_schema SET version = version + 1 WHERE name = 'logs'",
        [],
    )
    .unwrap();
    let e = SqliteStore::open(dir.path().join("logs.db"), SqliteOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SchemaTooNew);
    assert!(e.to_string().contains("newer"), "{e}");
}

#[test]
fn activity_feed_is_newest_first_and_filters_by_component() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let at = |ms: i64| Timestamp::from_nanos(T0 + ms * MS);
    let entries = [
        (ActivityLevel::Info, "hardware.ipmi", "power_on", 30),
        (ActivityLevel::Success, "hardware.ipmi", "power_on", 50),
        (ActivityLevel::Error, "firmware", "update", 40),
        (ActivityLevel::Warning, "hardware.ipmi", "fan", 10),
        (ActivityLevel::Success, "firmware", "update", 50),
    ];
    let mut ids = Vec::new();
    for (i, (level, comp, action, ms)) in entries.iter().enumerate() {
        let a = Activity::new(*level, *comp, *action, format!("entry {i} ✓"))
            .at(at(*ms))
            .with_details(serde_json::json!({"i": i, "nested": {"ok": true}}));
        ids.push(store.insert_activity(&a).unwrap());
    }
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let all = store.activities(None, 10).unwrap();
    let order: Vec<i64> = all.iter().map(|a| a.id.unwrap()).collect();
    assert_eq!(order, [5, 2, 3, 1, 4], "by time, then id, newest first");
    assert_eq!(all[0].level, ActivityLevel::Success);
    assert_eq!(all[0].details.as_ref().unwrap()["nested"]["ok"], true);
    assert_eq!(all[0].message, "entry 4 ✓");
    assert_eq!(all[0].timestamp, at(50));
    let ipmi = store.activities(Some("hardware.ipmi"), 2).unwrap();
    let order: Vec<i64> = ipmi.iter().map(|a| a.id.unwrap()).collect();
    assert_eq!(order, [2, 1]);
    assert!(store.activities(Some("nope"), 10).unwrap().is_empty());
    assert!(store.activities(None, 0).unwrap().is_empty());
    let conn = raw(dir.path());
    let level: String = conn
        .query_row("SELECT level FROM logs_activity WHERE id = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(level, "SUCCESS");
    // A row another writer damaged is reported, not panicked on.
    conn.execute("UPDATE logs_activity SET level = 'BOGUS' WHERE id = 4", [])
        .unwrap();
    assert_eq!(
        store.activities(None, 10).unwrap_err().kind(),
        ErrorKind::Corrupt
    );
    store.insert_batch(&records(0..1)).unwrap();
    conn.execute("UPDATE logs SET level = 9", []).unwrap();
    assert_eq!(store.get(1).unwrap_err().kind(), ErrorKind::Corrupt);
}

#[test]
fn alert_history_is_stored_newest_first_and_survives_an_upgrade_from_version_2() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        store.insert_batch(&records(0..2)).unwrap();
    }
    // Make the file look like one written by the previous release (schema version 2, no
    // alert, cursor or rules table): opening it again must add them and keep the records.
    let conn = raw(dir.path());
    conn.execute_batch(
        "DROP TABLE logs_alerts; DROP TABLE logs_cursors; DROP TABLE logs_rules;
         DROP TABLE logs_blocks; DROP TABLE logs_cols;
         UPDATE hwlog_schema SET version = 2 WHERE name = 'logs';",
    )
    .unwrap();
    let store = open(dir.path());
    assert_eq!(store.count().unwrap(), 2);
    store.save_rule("psu", "{}").unwrap();
    assert_eq!(store.rules().unwrap()[0].name, "psu");
    let ev = |ms: i64, id: u64, event: &str| hwlog_store::AlertRecord {
        id: 0,
        timestamp: Timestamp::from_nanos(T0 + ms * MS),
        alert_id: id,
        rule: "psu".into(),
        event: event.into(),
        detail: format!("{event} detail"),
    };
    assert_eq!(
        store
            .insert_alert_events(&[ev(1, 1, "fired"), ev(2, 1, "notified"), ev(3, 2, "fired")])
            .unwrap(),
        3
    );
    let all = store.alert_history(None, 10).unwrap();
    let got: Vec<(u64, &str)> = all.iter().map(|a| (a.alert_id, a.event.as_str())).collect();
    assert_eq!(got, [(2, "fired"), (1, "notified"), (1, "fired")]);
    assert_eq!(all[1].detail, "notified detail");
    assert_eq!(all[1].timestamp, Timestamp::from_nanos(T0 + 2 * MS));
    let one = store.alert_history(Some(1), 1).unwrap();
    assert_eq!((one.len(), one[0].event.as_str()), (1, "notified"));
    assert!(store.alert_history(None, 0).unwrap().is_empty());
    // Retention by age removes old history too.
    let report = store
        .apply_retention(&hwlog_store::Retention {
            max_age: Some(std::time::Duration::from_secs(1)),
            max_rows: None,
        })
        .unwrap();
    assert_eq!(report.alerts_deleted, 3);
}

/// The fields column is the shared record codec's fields object, byte for byte.
#[test]
fn fields_column_is_the_shared_codec() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let recs = hwlog_core::json::hostile_records();
    store.insert_batch(&recs).unwrap();
    let conn = raw(dir.path());
    let mut stmt = conn.prepare("SELECT fields FROM logs ORDER BY id").unwrap();
    let cols: Vec<Option<String>> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (col, rec) in cols.iter().zip(&recs) {
        let want = hwlog_core::json::fields_to_string(&rec.fields);
        match col {
            Some(text) => assert_eq!(text, &want),
            None => assert_eq!(want, "{}"),
        }
    }
}
