//! One suite, every backend: what any [`Store`] promises, run against SQLite and against a
//! real PostgreSQL (started here in a temp dir; SKIPPED when it is not installed, a failure
//! then with `HWLOG_REQUIRE_EXTERNAL=1`).
mod common;
#[cfg(feature = "postgres")]
mod pg;

use std::time::Duration;

use common::*;
use hwlog_core::{ComponentPattern, Level, Record, Timestamp};
use hwlog_store::{
    Activity, ActivityLevel, AlertRecord, ErrorKind, Query, Retention, Store, VolumeQuery,
    MAX_BUCKETS, MAX_FIELD_FILTERS,
};

/// A check of the suite, on a fresh, empty store.
type Check = fn(&dyn Store);

const CHECKS: [(&str, Check); 12] = [
    ("field_filters", field_filters),
    ("volume_counts_every_record", volume_counts_every_record),
    ("round_trip", round_trip),
    ("filters_match_a_model", filters_match_a_model),
    ("full_text", full_text),
    ("pagination", pagination),
    ("retention_by_rows", retention_by_rows),
    ("retention_by_age", retention_by_age),
    ("activity_and_alerts", activity_and_alerts),
    ("cursors_and_rules", cursors_and_rules),
    ("bad_queries_and_hostile_text", bad_queries_and_hostile_text),
    (
        "component_patterns_mean_one_thing",
        component_patterns_mean_one_thing,
    ),
];

/// `fields` conditions: text, numbers and booleans compared as text, dotted keys, several
/// conditions at once, keys with quotes; too many conditions are refused.
fn field_filters(store: &dyn Store) {
    let recs = vec![
        Record::new(Level::Info, "a", "m0")
            .with_field("host", "node-07")
            .with_field("port", 623u64),
        Record::new(Level::Info, "a", "m1")
            .with_field("host", "node-08")
            .with_field("port", 623u64),
        Record::new(Level::Info, "a", "m2")
            .with_field("host", "node-07")
            .with_field("ok", true),
        Record::new(Level::Info, "a", "m3").with_field("http.status", 500i64),
        Record::new(Level::Info, "a", "m4").with_field("we\"ird'key", "x y"),
        Record::new(Level::Info, "a", "m5"),
    ];
    store.insert_batch(&recs).unwrap();
    let find = |fields: &[(&str, &str)]| -> Vec<String> {
        let mut m: Vec<String> = store
            .query(&Query {
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ..Query::default()
            })
            .unwrap()
            .records
            .into_iter()
            .map(|r| r.record.message.to_string())
            .collect();
        m.sort();
        m
    };
    assert_eq!(find(&[("host", "node-07")]), ["m0", "m2"]);
    assert_eq!(find(&[("port", "623")]), ["m0", "m1"]);
    assert_eq!(find(&[("host", "node-07"), ("port", "623")]), ["m0"]);
    assert_eq!(find(&[("ok", "true")]), ["m2"]);
    assert_eq!(find(&[("http.status", "500")]), ["m3"]);
    assert_eq!(find(&[("we\"ird'key", "x y")]), ["m4"]);
    assert!(find(&[("host", "node-0")]).is_empty());
    assert!(find(&[("nope", "")]).is_empty());
    let e = store
        .query(&Query {
            fields: vec![("k".into(), "v".into()); MAX_FIELD_FILTERS + 1],
            ..Query::default()
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidQuery);
}

/// Volume by bucket and level counts every record of the range (no page limit), puts each in
/// its bucket, leaves the range's ends out as documented, and refuses too many buckets.
fn volume_counts_every_record(store: &dyn Store) {
    let minute = 60_000_000_000i64;
    let t0 = Timestamp::now().as_nanos() / minute * minute - 120 * minute;
    let mut recs = Vec::new();
    for i in 0..25_000i64 {
        let level = if i % 10 == 0 {
            Level::Error
        } else {
            Level::Info
        };
        let mut r = Record::new(level, if i % 3 == 0 { "x.y" } else { "z" }, "m");
        // 25,000 records over 100 minutes, 250 per minute; one before the range.
        r.timestamp = Timestamp::from_nanos(t0 + i * (minute / 250));
        recs.push(r);
    }
    store.insert_batch(&recs).unwrap();
    let q = VolumeQuery {
        since: t0 + minute,
        until: t0 + 100 * minute,
        bucket: 10 * minute,
    };
    let v = store.volume(&q).unwrap();
    assert_eq!(v.buckets.len(), 10);
    assert_eq!(v.buckets[0].start, t0 + minute);
    let total: u64 = v
        .buckets
        .iter()
        .flat_map(|b| b.counts.iter().map(|c| c.1))
        .sum();
    assert_eq!(total, 99 * 250);
    assert_eq!(
        v.buckets[0].counts,
        vec![(Level::Info, 2250), (Level::Error, 250)]
    );
    assert_eq!(
        v.buckets[9].counts.iter().map(|c| c.1).sum::<u64>(),
        9 * 250
    );
    let comps: u64 = v.components.iter().map(|c| c.1).sum();
    assert_eq!(comps, 99 * 250);
    assert_eq!(v.components[0].0, "z");
    let e = store
        .volume(&VolumeQuery {
            since: 0,
            until: (MAX_BUCKETS + 1) * minute,
            bucket: minute,
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidQuery);
    assert!(store
        .volume(&VolumeQuery {
            since: 5,
            until: 5,
            bucket: 1
        })
        .is_err());
}

/// Every case of the shared component-pattern table, asked of the store: each pattern finds
/// exactly the components `ComponentPattern::matches` accepts, as in the library and the live
/// stream.
fn component_patterns_mean_one_thing(store: &dyn Store) {
    use hwlog_core::pattern::CASES;
    let mut names: Vec<&str> = CASES.iter().map(|c| c.1).collect();
    names.sort_unstable();
    names.dedup();
    let recs: Vec<Record> = names
        .iter()
        .map(|n| Record::new(Level::Info, n.to_string(), "m"))
        .collect();
    store.insert_batch(&recs).unwrap();
    for &(pattern, name, want) in CASES {
        let found: Vec<String> = store
            .query(&Query {
                component: Some(pattern.into()),
                limit: 1000,
                ..Query::default()
            })
            .unwrap()
            .records
            .into_iter()
            .map(|r| r.record.component.to_string())
            .collect();
        assert_eq!(
            found.iter().any(|c| c == name),
            want,
            "{pattern:?} vs {name:?}"
        );
        let pat = ComponentPattern::new(pattern);
        for c in &found {
            assert!(pat.matches(c), "{pattern:?} found {c:?}");
        }
    }
}

#[test]
fn sqlite_passes_the_suite() {
    for (name, check) in CHECKS {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        println!("sqlite: {name}");
        check(&store);
    }
}

/// The same suite with blocks of 7 records: nearly every record a check reads has gone
/// through a compressed block, and the head holds the last few.
#[test]
fn sqlite_blocks_pass_the_suite() {
    for (name, check) in CHECKS {
        let dir = tempfile::tempdir().unwrap();
        let opts = hwlog_store::SqliteOptions::default().with_block_rows(7);
        let store = hwlog_store::SqliteStore::open(dir.path().join("logs.db"), opts).unwrap();
        println!("sqlite, blocks of 7: {name}");
        check(&store);
        let blocks: i64 = raw(dir.path())
            .query_row("SELECT count(*) FROM logs_blocks", [], |r| r.get(0))
            .unwrap();
        let head = raw_count(&raw(dir.path()), "logs");
        assert!(head < 7, "{name}: {head} records left in the head");
        println!("  {blocks} blocks");
    }
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_passes_the_suite() {
    let Some(server) = pg::PgServer::start("postgres_passes_the_suite") else {
        return;
    };
    let url = server.url("hwlog");
    for (name, check) in CHECKS {
        let opts = hwlog_store::PgOptions::default().with_table(format!("c_{name}"));
        let store = hwlog_store::PgStore::connect(&url, opts).unwrap();
        println!("postgres: {name}");
        check(&store);
    }
}

/// The ids of all records, in insertion order.
fn ids_in_order(store: &dyn Store) -> Vec<i64> {
    let q = Query {
        limit: 10_000,
        ..Query::default()
    };
    let mut ids: Vec<i64> = store
        .query(&q)
        .unwrap()
        .records
        .iter()
        .map(|r| r.id)
        .collect();
    ids.reverse();
    ids
}

fn round_trip(store: &dyn Store) {
    let recs = records(0..60);
    assert_eq!(store.insert_batch(&recs[..25]).unwrap(), 25);
    assert_eq!(store.insert_batch(&recs[25..]).unwrap(), 35);
    assert_eq!(store.insert_batch(&[]).unwrap(), 0);
    assert_eq!(store.count().unwrap(), 60);
    let ids = ids_in_order(store);
    assert_eq!(ids.len(), 60);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
    for (id, rec) in ids.iter().zip(&recs) {
        let got = store.get(*id).unwrap().unwrap();
        assert_eq!(got.id, *id);
        assert_same(&got.record, rec);
    }
    assert!(store.get(ids[59] + 1_000_000_000).unwrap().is_none());
}

fn filters_match_a_model(store: &dyn Store) {
    let recs = records(0..400);
    store.insert_batch(&recs[..150]).unwrap();
    store.insert_batch(&recs[150..]).unwrap();
    let ids = ids_in_order(store);
    let mut queries = Vec::new();
    for l in Level::ALL {
        queries.push(Query {
            min_level: Some(l),
            ..Query::default()
        });
        queries.push(Query {
            level: Some(l),
            ..Query::default()
        });
    }
    for c in [
        "hwautomation",
        "hwautomation.hardware",
        "hwautomation.hardware.ipmi",
        "hyper",
        "hyper*",
        "*.core",
        "db.poo?",
        "ünïcode.*",
        "hwautomation.*.ipmi",
        "nothing",
        "[x]",
        "db_pool",
        "100%",
    ] {
        queries.push(Query {
            component: Some(c.into()),
            ..Query::default()
        });
    }
    for c in ["req-0", "req-3", "req-9"] {
        queries.push(Query {
            correlation_id: Some(c.into()),
            ..Query::default()
        });
    }
    queries.push(Query {
        since: Some(T0 + 100 * MS),
        ..Query::default()
    });
    queries.push(Query {
        until: Some(T0 + 100 * MS),
        ..Query::default()
    });
    queries.push(Query {
        since: Some(T0 + 5 * MS),
        until: Some(T0 + 5 * MS),
        ..Query::default()
    });
    queries.push(Query {
        level: Some(Level::Error),
        min_level: Some(Level::Info),
        component: Some("*.hardware.*".into()),
        cursor: Some(ids[299]),
        ..Query::default()
    });
    queries.push(Query {
        min_level: Some(Level::Warning),
        component: Some("hwautomation".into()),
        correlation_id: Some("req-2".into()),
        since: Some(T0 + 20 * MS),
        until: Some(T0 + 390 * MS),
        cursor: Some(ids[300]),
        ..Query::default()
    });
    for mut q in queries {
        q.limit = 1000;
        let want: Vec<i64> = recs
            .iter()
            .zip(&ids)
            .filter(|(r, id)| {
                q.min_level.is_none_or(|l| r.level >= l)
                    && q.level.is_none_or(|l| r.level == l)
                    && q.component
                        .as_deref()
                        .is_none_or(|p| ComponentPattern::new(p).matches(&r.component))
                    && q.correlation_id
                        .as_deref()
                        .is_none_or(|c| r.correlation_id.as_deref() == Some(c))
                    && q.since.is_none_or(|s| r.timestamp.as_nanos() >= s)
                    && q.until.is_none_or(|u| r.timestamp.as_nanos() < u)
                    && q.cursor.is_none_or(|c| **id < c)
            })
            .map(|(_, id)| *id)
            .rev()
            .collect();
        let page = store.query(&q).unwrap();
        let got: Vec<i64> = page.records.iter().map(|r| r.id).collect();
        assert_eq!(got, want, "{q:?}");
        for r in &page.records {
            let i = ids.iter().position(|id| *id == r.id).unwrap();
            assert_same(&r.record, &recs[i]);
        }
    }
}

fn search(store: &dyn Store, text: &str) -> Vec<i64> {
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
}

fn full_text(store: &dyn Store) {
    store.insert_batch(&records(0..120)).unwrap();
    let ids = ids_in_order(store);
    // Messages `i % 6 == 1` mention the fan.
    let fan: Vec<i64> = (0..120)
        .filter(|i| i % 6 == 1)
        .map(|i| ids[i])
        .rev()
        .collect();
    assert_eq!(search(store, "fan"), fan);
    assert_eq!(search(store, "FAN   speed"), fan);
    assert_eq!(search(store, "speed fan rpm"), fan);
    assert_eq!(search(store, "fa*"), fan);
    assert_eq!(search(store, "node-7"), vec![ids[7]]);
    assert!(search(store, "fan power").is_empty());
    assert_eq!(search(store, "日本語").len(), 20);
    assert_eq!(
        search(store, "🚀").len(),
        20,
        "symbol-only text is a substring search"
    );
    assert_eq!(search(store, "DROP TABLE").len(), 20);
    assert_eq!(search(store, "").len(), 120);
}

fn pagination(store: &dyn Store) {
    for chunk in records(0..1000).chunks(170) {
        store.insert_batch(chunk).unwrap();
    }
    let mut seen = Vec::new();
    let mut q = Query {
        limit: 64,
        min_level: Some(Level::Info),
        ..Query::default()
    };
    loop {
        let page = store.query(&q).unwrap();
        seen.extend(page.records.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    let want = records(0..1000)
        .iter()
        .filter(|r| r.level >= Level::Info)
        .count();
    assert_eq!(seen.len(), want);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, each once"
    );
}

fn retention_by_rows(store: &dyn Store) {
    store.insert_batch(&records(0..3000)).unwrap();
    let r = Retention {
        max_rows: Some(1000),
        ..Retention::default()
    };
    assert_eq!(store.apply_retention(&r).unwrap().deleted, 2000);
    assert_eq!(store.count().unwrap(), 1000);
    let left = ids_in_order(store);
    assert_eq!(
        store.get(left[0]).unwrap().unwrap().record.message,
        record(2000).message
    );
    assert!(
        search(store, "node-6").is_empty(),
        "deleted rows are not found"
    );
    assert_eq!(search(store, "node-2004").len(), 1);
    assert_eq!(store.apply_retention(&r).unwrap().deleted, 0);
    let zero = Retention {
        max_rows: Some(0),
        ..Retention::default()
    };
    assert_eq!(store.apply_retention(&zero).unwrap().deleted, 1000);
    assert_eq!(store.count().unwrap(), 0);
}

fn retention_by_age(store: &dyn Store) {
    let now = Timestamp::now().as_nanos();
    let hour = 3_600 * 1_000_000_000i64;
    let aged = |age_h: i64, msg: &str| {
        let mut r = Record::new(Level::Info, "retention", msg.to_string());
        r.timestamp = Timestamp::from_nanos(now - age_h * hour);
        r
    };
    // Ten days back too: whole days (partitions, where a backend has them) go at once.
    let batch = vec![
        aged(240, "decade alpha"),
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
    assert_eq!((report.deleted, report.activities_deleted), (4, 1));
    let q = Query {
        limit: 100,
        ..Query::default()
    };
    let left: Vec<String> = store
        .query(&q)
        .unwrap()
        .records
        .iter()
        .map(|r| r.record.message.to_string())
        .collect();
    assert_eq!(left, ["recent delta", "fresh beta"]);
    assert!(search(store, "alpha").is_empty());
    // An old record arriving after its day was dropped is stored again.
    store.insert_batch(&[aged(240, "late alpha")]).unwrap();
    assert_eq!(search(store, "alpha").len(), 1);
}

fn activity_and_alerts(store: &dyn Store) {
    for (i, comp) in ["bmc", "bios", "bmc"].iter().enumerate() {
        let a = Activity::new(
            ActivityLevel::Success,
            *comp,
            "power_on",
            format!("step {i}"),
        )
        .with_details(serde_json::json!({"i": i}))
        .at(Timestamp::from_nanos(T0 + i as i64 * MS));
        assert!(store.insert_activity(&a).unwrap() > 0);
    }
    let all = store.activities(None, 10).unwrap();
    let msgs: Vec<&str> = all.iter().map(|a| a.message.as_str()).collect();
    assert_eq!(msgs, ["step 2", "step 1", "step 0"]);
    assert_eq!(all[0].details, Some(serde_json::json!({"i": 2})));
    assert_eq!(all[0].level, ActivityLevel::Success);
    assert_eq!(
        store.activities(Some("bmc"), 1).unwrap()[0].message,
        "step 2"
    );
    assert_eq!(store.activities(Some("bmc"), 10).unwrap().len(), 2);
    let ev = |ms: i64, id: u64, event: &str| AlertRecord {
        id: 0,
        timestamp: Timestamp::from_nanos(T0 + ms * MS),
        alert_id: id,
        rule: "psu".into(),
        event: event.into(),
        detail: format!("{event} detail"),
    };
    let evs = [ev(1, 1, "fired"), ev(2, 1, "notified"), ev(3, 2, "fired")];
    assert_eq!(store.insert_alert_events(&evs).unwrap(), 3);
    let got: Vec<(u64, String)> = store
        .alert_history(None, 10)
        .unwrap()
        .into_iter()
        .map(|a| (a.alert_id, a.event))
        .collect();
    assert_eq!(
        got,
        [
            (2, "fired".into()),
            (1, "notified".into()),
            (1, "fired".into())
        ]
    );
    assert_eq!(
        store.alert_history(Some(1), 1).unwrap()[0].detail,
        "notified detail"
    );
}

fn cursors_and_rules(store: &dyn Store) {
    assert_eq!(store.cursor("file:/var/log/x").unwrap(), None);
    store
        .insert_batch_with_cursor(&records(0..5), "file:/var/log/x", "offset=100")
        .unwrap();
    store
        .insert_batch_with_cursor(&[], "file:/var/log/x", "offset=200")
        .unwrap();
    assert_eq!(
        store.cursor("file:/var/log/x").unwrap().as_deref(),
        Some("offset=200")
    );
    assert_eq!(store.count().unwrap(), 5);
    assert!(store.rules().unwrap().is_empty());
    store
        .save_rule("psu", r#"{"name":"psu","condition":"a"}"#)
        .unwrap();
    store.save_rule("fan", "{}").unwrap();
    store
        .save_rule("psu", r#"{"name":"psu","condition":"b"}"#)
        .unwrap();
    let rules = store.rules().unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["fan", "psu"]);
    assert!(rules[1].definition.contains("\"b\""));
    assert!(store.delete_rule("psu").unwrap());
    assert!(!store.delete_rule("psu").unwrap());
    assert_eq!(store.rules().unwrap().len(), 1);
}

fn bad_queries_and_hostile_text(store: &dyn Store) {
    let bad = |q: Query| store.query(&q).unwrap_err().kind();
    assert_eq!(
        bad(Query {
            limit: 0,
            ..Query::default()
        }),
        ErrorKind::InvalidQuery
    );
    assert_eq!(
        bad(Query {
            limit: 10_001,
            ..Query::default()
        }),
        ErrorKind::InvalidQuery
    );
    assert_eq!(
        bad(Query {
            since: Some(5),
            until: Some(4),
            ..Query::default()
        }),
        ErrorKind::InvalidQuery
    );
    let mut nul = Record::new(Level::Error, "odd\0component", "a NUL \0 inside");
    nul.correlation_id = Some("req\0x".into());
    let texts = [
        "' OR 1=1 --",
        "\"unbalanced",
        "NEAR(",
        "a:*",
        "x & y | !z",
        "\\",
        "%_",
    ];
    let mut batch: Vec<Record> = texts
        .iter()
        .map(|t| Record::new(Level::Info, "hostile", *t))
        .collect();
    batch.push(nul);
    store.insert_batch(&batch).unwrap();
    assert_eq!(store.count().unwrap(), 8);
    for t in texts
        .iter()
        .chain(&["*", "fan OR", "NOT", "''", "a:* & b", "%", "_"])
    {
        let q = Query {
            text: Some(t.to_string()),
            ..Query::default()
        };
        store.query(&q).unwrap_or_else(|e| panic!("{t:?}: {e}"));
        let q = Query {
            component: Some(t.to_string()),
            ..Query::default()
        };
        store.query(&q).unwrap_or_else(|e| panic!("{t:?}: {e}"));
    }
    assert_eq!(
        search(store, "%_").len(),
        1,
        "LIKE wildcards are plain text"
    );
    let q = Query {
        component: Some("hostile".into()),
        limit: 100,
        ..Query::default()
    };
    assert_eq!(store.query(&q).unwrap().records.len(), 7);
}
