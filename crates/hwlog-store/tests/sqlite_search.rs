//! Full-text search, cursor pagination and retention of the SQLite store, checked against
//! the rows in the database file.
mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use hwlog_core::{Level, Record, Timestamp};
use hwlog_store::{Activity, ActivityLevel, Query, Retention, SqliteStore, Store};

#[test]
fn full_text_search_finds_words_and_survives_hostile_input() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.insert_batch(&records(0..120)).unwrap();
    let ids = |text: &str| -> Vec<i64> {
        let q = Query {
            text: Some(text.into()),
            limit: 1000,
            ..Query::default()
        };
        store
            .query(&q)
            .unwrap()
            .records
            .iter()
            .map(|r| r.id)
            .collect()
    };
    // Messages `i % 6 == 1` mention the fan; ids are i + 1.
    let fan: Vec<i64> = (0..120)
        .filter(|i| i % 6 == 1)
        .map(|i| i + 1)
        .rev()
        .collect();
    assert_eq!(ids("fan"), fan);
    assert_eq!(ids("FAN   speed"), fan);
    assert_eq!(ids("speed fan rpm"), fan);
    assert_eq!(ids("fa*"), fan);
    assert_eq!(ids("node-7"), vec![8]);
    assert!(ids("fan power").is_empty());
    assert_eq!(ids("koln gruße").len(), 20, "diacritics are folded");
    assert_eq!(ids("GRÜSSE").len(), 0, "ß is not ss");
    assert_eq!(ids("日本語").len(), 20);
    assert_eq!(
        ids("🚀").len(),
        20,
        "symbol-only text is a substring search"
    );
    assert_eq!(ids("DROP TABLE").len(), 20);
    assert!(ids("").len() == 120 && ids("   ").len() == 120);
    for hostile in [
        "\"unbalanced",
        "NEAR(",
        "NEAR(fan speed",
        "*",
        "' OR 1=1 --",
        "fan AND OR NOT",
        "fan OR",
        "message: fan",
        "^fan",
        "fan + + speed",
        "\"\"\"",
        "(((",
        "-fan",
        "{message}: x",
        "\u{301}\u{93e}",
        "\0",
        "%_\\",
        "a\"b\"c",
    ] {
        let q = Query {
            text: Some(hostile.into()),
            ..Query::default()
        };
        if let Err(e) = store.query(&q) {
            panic!("{hostile:?}: {e}");
        }
    }
    assert_eq!(
        ids("fan OR"),
        Vec::<i64>::new(),
        "OR is a plain word, not an operator"
    );
    assert_eq!(ids("-- DROP").len(), 20);
    // Text combines with the other filters.
    let q = Query {
        text: Some("fan".into()),
        min_level: Some(Level::Error),
        limit: 1000,
        ..Query::default()
    };
    let page = store.query(&q).unwrap();
    assert!(!page.records.is_empty());
    assert!(page
        .records
        .iter()
        .all(|r| r.record.level >= Level::Error && r.record.message.contains("fan")));
}

#[test]
fn cursor_pagination_visits_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    for chunk in records(0..1234).chunks(300) {
        store.insert_batch(chunk).unwrap();
    }
    for (limit, filter) in [
        (100, None),
        (7, Some(Level::Error)),
        (1234, None),
        (1, Some(Level::Critical)),
    ] {
        let mut q = Query {
            limit,
            min_level: filter,
            ..Query::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = store.query(&q).unwrap();
            assert!(page.records.len() <= limit);
            seen.extend(page.records.iter().map(|r| r.id));
            match page.next_cursor {
                Some(c) => {
                    assert_eq!(page.records.len(), limit);
                    assert_eq!(Some(c), page.records.last().map(|r| r.id));
                    q.cursor = Some(c);
                }
                None => break,
            }
        }
        let want: Vec<i64> = (1..=1234)
            .rev()
            .filter(|id| filter.is_none_or(|l| record(*id as usize - 1).level >= l))
            .collect();
        assert_eq!(seen, want, "limit {limit}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
    }
}

fn fts_ids(store: &SqliteStore, text: &str) -> usize {
    let q = Query {
        text: Some(text.into()),
        limit: 10_000,
        ..Query::default()
    };
    store.query(&q).unwrap().records.len()
}

/// The head rows and the blocks' records add up to the store's count, and a query of
/// everything finds exactly that many distinct records.
fn fts_integrity(dir: &std::path::Path) {
    let conn = raw(dir);
    let on_disk: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM logs) + (SELECT coalesce(sum(n), 0) FROM logs_blocks)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let store = open(dir);
    assert_eq!(store.count().unwrap(), on_disk as u64);
    let mut ids = std::collections::BTreeSet::new();
    let mut q = Query {
        limit: 10_000,
        ..Query::default()
    };
    loop {
        let page = store.query(&q).unwrap();
        ids.extend(page.records.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(ids.len() as i64, on_disk);
}

#[test]
fn retention_by_row_count_keeps_the_newest_and_the_index_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.insert_batch(&records(0..12_000)).unwrap();
    assert_eq!(fts_ids(&store, "node-6"), 1);
    let report = store
        .apply_retention(&Retention {
            max_rows: Some(1000),
            ..Retention::default()
        })
        .unwrap();
    assert_eq!(report.deleted, 11_000);
    let conn = raw(dir.path());
    assert_eq!(raw_count(&conn, "logs"), 1000);
    let (lo, hi): (i64, i64) = conn
        .query_row("SELECT min(id), max(id) FROM logs", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((lo, hi), (11_001, 12_000));
    assert_eq!(
        fts_ids(&store, "node-6"),
        0,
        "deleted rows are gone from the index"
    );
    assert_eq!(fts_ids(&store, "node-11003"), 0, "i % 6 != 0");
    assert_eq!(fts_ids(&store, "node-11004"), 1);
    fts_integrity(dir.path());
    // Nothing more to do; then keep none.
    let none = Retention {
        max_rows: Some(1000),
        ..Retention::default()
    };
    assert_eq!(store.apply_retention(&none).unwrap().deleted, 0);
    let zero = Retention {
        max_rows: Some(0),
        ..Retention::default()
    };
    assert_eq!(store.apply_retention(&zero).unwrap().deleted, 1000);
    assert_eq!(store.count().unwrap(), 0);
    assert_eq!(fts_ids(&store, "fan"), 0);
    fts_integrity(dir.path());
}

#[test]
fn retention_by_age_uses_the_record_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let now = Timestamp::now().as_nanos();
    let hour = 3_600 * 1_000_000_000i64;
    let aged = |age_h: i64, msg: &str| {
        let mut r = Record::new(Level::Info, "retention", msg.to_string());
        r.timestamp = Timestamp::from_nanos(now - age_h * hour);
        r
    };
    let batch = vec![
        aged(48, "ancient alpha"),
        aged(0, "fresh beta"),
        aged(30, "old gamma"),
        aged(1, "recent delta"),
        aged(25, "old epsilon"),
    ];
    store.insert_batch(&batch).unwrap();
    let old = Activity::new(ActivityLevel::Info, "x", "a", "old")
        .at(Timestamp::from_nanos(now - 30 * hour));
    store.insert_activity(&old).unwrap();
    store
        .insert_activity(&Activity::new(ActivityLevel::Info, "x", "a", "new"))
        .unwrap();
    let r = Retention {
        max_age: Some(Duration::from_secs(24 * 3600)),
        max_rows: None,
    };
    let report = store.apply_retention(&r).unwrap();
    assert_eq!((report.deleted, report.activities_deleted), (3, 1));
    let conn = raw(dir.path());
    let mut stmt = conn
        .prepare("SELECT message FROM logs ORDER BY id")
        .unwrap();
    let left: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(left, ["fresh beta", "recent delta"]);
    assert_eq!(raw_count(&conn, "logs_activity"), 1);
    for gone in ["ancient", "gamma", "epsilon", "old"] {
        assert_eq!(fts_ids(&store, gone), 0, "{gone}");
    }
    assert_eq!(fts_ids(&store, "beta"), 1);
    fts_integrity(dir.path());
    // Age and count together: age first, then the count.
    let both = Retention {
        max_age: Some(Duration::from_secs(3600 / 2)),
        max_rows: Some(0),
    };
    assert_eq!(store.apply_retention(&both).unwrap().deleted, 2);
}
