//! The compressed blocks of the SQLite store, checked in the file: a data dir of the row
//! store is converted on open, damage is reported and not fatal, retention cuts blocks
//! exactly, a SIGKILL at any point (sealing included) loses no acknowledged record and
//! duplicates none, and sealed records take a fraction of their text.
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use hwlog_core::{Level, Record, Timestamp};
use hwlog_store::{ErrorKind, Query, Retention, SqliteOptions, SqliteStore, Store};

fn all_ids(store: &SqliteStore) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut q = Query {
        limit: 10_000,
        ..Query::default()
    };
    loop {
        let page = store.query(&q).unwrap();
        ids.extend(page.records.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return ids,
        }
    }
}

fn blocks(dir: &std::path::Path) -> (i64, i64) {
    raw(dir)
        .query_row(
            "SELECT count(*), coalesce(sum(n), 0) FROM logs_blocks",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// The schema the row store (schema version 4, before blocks) created, as it shipped.
const ROW_STORE_V4: &str = r#"
CREATE TABLE hwlog_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE "logs" (
    id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, level INTEGER NOT NULL,
    component TEXT NOT NULL, message TEXT NOT NULL, correlation_id TEXT, fields TEXT,
    thread TEXT, pid INTEGER, file TEXT, line INTEGER, host TEXT, error TEXT
);
CREATE INDEX "logs_ts" ON "logs"(ts);
CREATE INDEX "logs_level_ts" ON "logs"(level, ts);
CREATE INDEX "logs_component_ts" ON "logs"(component, ts);
CREATE INDEX "logs_correlation_id" ON "logs"(correlation_id) WHERE correlation_id IS NOT NULL;
CREATE VIRTUAL TABLE "logs_fts" USING fts5(
    message, content="logs", content_rowid=id, columnsize=0, tokenize="unicode61 remove_diacritics 2"
);
CREATE TRIGGER "logs_fts_ad" AFTER DELETE ON "logs" BEGIN
    INSERT INTO "logs_fts"("logs_fts", rowid, message) VALUES ('delete', old.id, old.message);
END;
CREATE TABLE "logs_activity" (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
    component TEXT NOT NULL, action TEXT NOT NULL, message TEXT NOT NULL,
    level TEXT NOT NULL, details TEXT);
CREATE TABLE "logs_cursors" (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE "logs_alerts" (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
    alert_id INTEGER NOT NULL, rule TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE "logs_rules" (name TEXT PRIMARY KEY, definition TEXT NOT NULL,
    updated INTEGER NOT NULL);
INSERT INTO hwlog_schema VALUES ('logs', 4);
"#;

#[test]
fn a_row_store_data_dir_is_converted_on_open() {
    // Rows exactly as the row store wrote them (its columns are the head's): written by
    // this version into three scratch tables of under a block each, then copied into a
    // file with the old schema, FTS index included.
    let scratch = tempfile::tempdir().unwrap();
    let parts = [(0, 8_000), (8_000, 16_000), (16_000, 20_000)];
    for (k, (a, b)) in parts.iter().enumerate() {
        let s = SqliteStore::open(
            scratch.path().join("logs.db"),
            SqliteOptions::default().with_table(format!("part{k}")),
        )
        .unwrap();
        s.insert_batch(&records(*a..*b)).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = raw(dir.path());
        conn.execute_batch(ROW_STORE_V4).unwrap();
        conn.execute(
            "ATTACH ?1 AS s",
            [scratch.path().join("logs.db").to_str().unwrap()],
        )
        .unwrap();
        for (k, (a, _)) in parts.iter().enumerate() {
            conn.execute(
                &format!(
                    "INSERT INTO logs SELECT id + {a}, ts, level, component, message,
                     correlation_id, fields, thread, pid, file, line, host, error FROM s.part{k}"
                ),
                [],
            )
            .unwrap();
        }
        conn.execute_batch("INSERT INTO logs_fts(rowid, message) SELECT id, message FROM logs")
            .unwrap();
        assert_eq!(raw_count(&conn, "logs"), 20_000);
    }
    let store = open(dir.path());
    // Two blocks sealed on open, the rest in the head; the row store's indexes are gone.
    assert_eq!(blocks(dir.path()), (2, 16_384));
    assert_eq!(raw_count(&raw(dir.path()), "logs"), 20_000 - 16_384);
    let fts: i64 = raw(dir.path())
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'logs_fts%'
             OR name IN ('logs_ts', 'logs_level_ts', 'logs_component_ts', 'logs_correlation_id')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fts, 0);
    assert_eq!(store.count().unwrap(), 20_000);
    let ids = all_ids(&store);
    assert_eq!(ids, (1..=20_000).rev().collect::<Vec<i64>>());
    for i in (0..20_000).step_by(997) {
        let got = store.get(i as i64 + 1).unwrap().unwrap();
        assert_same(&got.record, &record(i));
    }
    // Full text keeps the row store's tokenisation: the sealed and the head records alike.
    let q = Query {
        text: Some("node-19999 fan".into()),
        ..Query::default()
    };
    let page = store.query(&q).unwrap();
    assert_eq!(page.records.len(), 1, "fan speed low on node-19999");
    let q = Query {
        text: Some("KÖLN".into()),
        limit: 10_000,
        ..Query::default()
    };
    assert_eq!(all_matching(&store, q), 20_000 / 6);
    // New records continue the ids.
    store
        .insert_batch(&[Record::new(Level::Info, "x", "after")])
        .unwrap();
    assert_eq!(all_ids(&store)[0], 20_001);
}

fn all_matching(store: &SqliteStore, mut q: Query) -> usize {
    let mut n = 0;
    loop {
        let page = store.query(&q).unwrap();
        n += page.records.len();
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return n,
        }
    }
}

#[test]
fn a_damaged_block_is_reported_and_the_rest_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SqliteOptions::default().with_block_rows(100);
    let store = SqliteStore::open(dir.path().join("logs.db"), opts.clone()).unwrap();
    store.insert_batch(&records(0..350)).unwrap();
    assert_eq!(blocks(dir.path()), (3, 300));
    // Flip one byte in the middle of block 2's message column (records 101..=200).
    {
        let conn = raw(dir.path());
        let key = 2 * 16 + 4;
        let mut data: Vec<u8> = conn
            .query_row("SELECT data FROM logs_cols WHERE id = ?1", [key], |r| {
                r.get(0)
            })
            .unwrap();
        let mid = data.len() / 2;
        data[mid] ^= 0x20;
        conn.execute(
            "UPDATE logs_cols SET data = ?1 WHERE id = ?2",
            rusqlite::params![data, key],
        )
        .unwrap();
    }
    drop(store);
    let store = SqliteStore::open(dir.path().join("logs.db"), opts).unwrap();
    // The newest 149 records (and the look-ahead for a next page) do not touch block 2.
    let page = store
        .query(&Query {
            limit: 149,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(page.records.len(), 149);
    // A query that reaches it says which records are unreadable.
    let e = store
        .query(&Query {
            limit: 300,
            ..Query::default()
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
    assert!(e.to_string().contains("records 101..=200"), "{e}");
    assert_eq!(store.get(150).unwrap_err().kind(), ErrorKind::Corrupt);
    // Records of the intact blocks are still there, by id and by query.
    assert_eq!(store.get(50).unwrap().unwrap().id, 50);
    let q = Query {
        cursor: Some(101),
        limit: 1_000,
        ..Query::default()
    };
    assert_eq!(store.query(&q).unwrap().records.len(), 100);
    assert_eq!(store.count().unwrap(), 350);
}

#[test]
fn retention_drops_whole_blocks_and_cuts_the_boundary_block() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SqliteOptions::default().with_block_rows(100);
    let store = SqliteStore::open(dir.path().join("logs.db"), opts).unwrap();
    let now = Timestamp::now().as_nanos();
    let hour = 3_600_000_000_000i64;
    // 1,000 records, one per minute of age (half a minute off the round ages), the oldest
    // first.
    let recs: Vec<Record> = (0..1_000)
        .map(|i| {
            let mut r = record(i);
            r.timestamp =
                Timestamp::from_nanos(now - (1_000 - i as i64) * 60_000_000_000 + 30_000_000_000);
            r
        })
        .collect();
    store.insert_batch(&recs).unwrap();
    assert_eq!(blocks(dir.path()), (10, 1_000));
    // Older than 10 hours: the 400 oldest records (ages 1000..=601 min): four whole blocks.
    let r = store
        .apply_retention(&Retention {
            max_age: Some(Duration::from_secs(10 * 3600)),
            ..Retention::default()
        })
        .unwrap();
    assert_eq!(r.deleted, 400);
    assert_eq!(blocks(dir.path()), (6, 600));
    // Older than 9h30: 30 more, out of the middle of a block, which is rewritten.
    let r = store
        .apply_retention(&Retention {
            max_age: Some(Duration::from_secs(9 * 3600 + 1800)),
            ..Retention::default()
        })
        .unwrap();
    assert_eq!(r.deleted, 30);
    assert_eq!(blocks(dir.path()), (6, 570));
    let ids = all_ids(&store);
    assert_eq!(ids.len(), 570);
    assert_eq!(*ids.last().unwrap(), 431);
    let cutoff = now - (9 * hour + hour / 2);
    for id in [431, 500, 1_000] {
        let got = store.get(id).unwrap().unwrap();
        assert!(got.record.timestamp.as_nanos() >= cutoff);
        assert_same(&got.record, &recs[id as usize - 1]);
    }
    // By count: keep the newest 255: whole blocks, then part of one.
    let r = store
        .apply_retention(&Retention {
            max_rows: Some(255),
            ..Retention::default()
        })
        .unwrap();
    assert_eq!(r.deleted, 570 - 255);
    assert_eq!(store.count().unwrap(), 255);
    assert_eq!(blocks(dir.path()), (3, 255));
    assert_eq!(*all_ids(&store).last().unwrap(), 746);
    // New records after retention keep growing ids.
    store.insert_batch(&records(0..1)).unwrap();
    assert_eq!(all_ids(&store)[0], 1_001);
}

#[test]
fn sealed_records_take_a_fraction_of_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let recs = records(0..16_384);
    let text: usize = recs
        .iter()
        .map(|r| hwlog_core::json::record_to_string(r, &[]).len() + 1)
        .sum();
    store.insert_batch(&recs).unwrap();
    let (n, sealed) = blocks(dir.path());
    assert_eq!((n, sealed), (2, 16_384));
    let bytes: i64 = raw(dir.path())
        .query_row(
            "SELECT (SELECT sum(length(data)) FROM logs_cols) + (SELECT sum(length(bloom)) FROM logs_blocks)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let per_record = bytes as f64 / sealed as f64;
    println!(
        "{per_record:.1} bytes per sealed record, NDJSON {:.1}",
        text as f64 / 16_384.0
    );
    // The fixture's records are far more varied than real logs (and every one has an
    // awkward field set), so the bound is loose; `hwlog-bench store` measures real shapes.
    assert!(
        per_record * 5.0 < text as f64 / 16_384.0,
        "{per_record:.1} B/record"
    );
}

/// One round of the SIGKILL test: inserts batches of 500 records (blocks of 300, so seals
/// happen every other batch) and prints `ack <batch>` after each insert returns.
#[test]
fn sigkill_child() {
    let Ok(dir) = std::env::var("HWLOG_SIGKILL_CHILD_DIR") else {
        return;
    };
    let start: usize = std::env::var("HWLOG_SIGKILL_FIRST")
        .unwrap()
        .parse()
        .unwrap();
    let store = SqliteStore::open(
        std::path::Path::new(&dir).join("logs.db"),
        SqliteOptions::default().with_block_rows(300),
    )
    .unwrap();
    for b in start.. {
        let batch: Vec<Record> = (0..500)
            .map(|i| Record::new(Level::Info, "kill", format!("batch {b} record {i}")))
            .collect();
        store.insert_batch(&batch).unwrap();
        println!("ack {b}");
    }
}

#[test]
fn sigkill_at_any_point_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acked: i64 = -1;
    let mut next = 0;
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..8 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "sigkill_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("HWLOG_SIGKILL_CHILD_DIR", dir.path())
            .env("HWLOG_SIGKILL_FIRST", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let wait = Duration::from_millis(100 + x % 400);
        let out = BufReader::new(child.stdout.take().unwrap());
        let reader = std::thread::spawn(move || {
            let mut last = -1i64;
            for line in out.lines().map_while(Result::ok) {
                if let Some(b) = line.strip_prefix("ack ") {
                    last = b.trim().parse().unwrap();
                }
            }
            last
        });
        let t = Instant::now();
        std::thread::sleep(wait);
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        let last = reader.join().unwrap();
        acked = acked.max(last);
        // Every acknowledged batch is there once; a batch is whole or absent.
        let store = open(dir.path());
        let mut seen = std::collections::HashMap::<String, usize>::new();
        let mut q = Query {
            limit: 10_000,
            ..Query::default()
        };
        loop {
            let page = store.query(&q).unwrap();
            for r in &page.records {
                *seen.entry(r.record.message.to_string()).or_default() += 1;
            }
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        assert!(
            seen.values().all(|n| *n == 1),
            "round {round}: a record twice"
        );
        assert_eq!(seen.len() % 500, 0, "round {round}: a batch cut");
        let batches = seen.len() as i64 / 500;
        assert!(
            batches > acked,
            "round {round}: {batches} batches, acked up to {acked}"
        );
        assert_eq!(store.count().unwrap(), seen.len() as u64);
        for b in 0..=acked {
            assert!(
                seen.contains_key(&format!("batch {b} record 499")),
                "batch {b}"
            );
        }
        println!(
            "round {round}: killed after {:?}, {batches} batches",
            t.elapsed()
        );
        next = batches as usize;
        // What the killed child held in the head may be sealed by this open; blocks and
        // head agree.
        let (_, sealed) = blocks(dir.path());
        assert_eq!(
            sealed as usize + raw_count(&raw(dir.path()), "logs") as usize,
            seen.len()
        );
    }
    assert!(acked >= 8, "the children wrote {acked} batches");
}

/// Full text means the same on records in the head and in blocks: the same records
/// inserted into a store that keeps them all as rows and one that seals every three, and
/// the same queries, give the same ids.
#[test]
fn text_search_is_the_same_in_head_and_blocks() {
    let messages = [
        "Accepted password for root from 10.0.0.1 port 22 id deadbeef00",
        "Failed password for invalid user admin from 173.234.31.186 port 007",
        "block blk_-6952295868487656571 terminating",
        "Grüße aus Köln, node-7 🚀",
        "KÖLN ist groß",
        "hex cafebabe12 and DEADBEEF and facade",
        "token abc123def and abc 123",
        "value=0042 x=00 y=0",
        "marker \u{11} inside \u{12}\u{13} text",
        "",
        "日本語のテキスト 12",
        "PacketResponder 1 for block blk_38865049064139660 terminating",
    ];
    let recs: Vec<Record> = (0..120)
        .map(|i| Record::new(Level::Info, "t", messages[i % messages.len()]))
        .collect();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let head = SqliteStore::open(d1.path().join("logs.db"), SqliteOptions::default()).unwrap();
    let sealed = SqliteStore::open(
        d2.path().join("logs.db"),
        SqliteOptions::default().with_block_rows(3),
    )
    .unwrap();
    head.insert_batch(&recs).unwrap();
    sealed.insert_batch(&recs).unwrap();
    assert_eq!(blocks(d2.path()).1, 120);
    for text in [
        "password",
        "PASSWORD root",
        "dead*",
        "deadbeef00",
        "deadbeef",
        "cafe*",
        "facade",
        "blk",
        "blk_-6952295868487656571",
        "6952295868487656571",
        "koln",
        "köln",
        "KÖLN*",
        "node-7",
        "node-7*",
        "abc",
        "abc123def",
        "abc1*",
        "0042",
        "42",
        "00",
        "0",
        "日本語",
        "日本語の*",
        "🚀",
        "\u{11}",
        "marker inside",
        "inside marker",
        "terminating block",
        "for block",
        "x",
        "nothing",
        "12",
        "1*",
    ] {
        let q = Query {
            text: Some(text.into()),
            limit: 1_000,
            ..Query::default()
        };
        let ids = |s: &SqliteStore| -> Vec<i64> {
            s.query(&q).unwrap().records.iter().map(|r| r.id).collect()
        };
        let want = ids(&head);
        assert_eq!(ids(&sealed), want, "{text:?}");
        println!("{text:?}: {}", want.len());
    }
}
