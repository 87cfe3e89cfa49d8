//! The SQLite store under damage, contention and concurrency, plus an ignored throughput
//! measurement (`cargo test --release -p hwlog-store --test sqlite_robustness -- --ignored
//! --nocapture`).
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use hwlog_core::Level;
use hwlog_store::{ErrorKind, Query, SqliteOptions, SqliteStore, Store};

fn fast_timeout() -> SqliteOptions {
    SqliteOptions::default().with_busy_timeout(Duration::from_millis(150))
}

#[test]
fn a_file_of_garbage_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let mut bytes = Vec::new();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..8192 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push(x as u8);
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = SqliteStore::open(&path, SqliteOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
    assert!(e.to_string().contains("garbage.db"), "{e}");

    // A real database whose pages were overwritten after it was opened.
    let path = dir.path().join("damaged.db");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    store.insert_batch(&records(0..2000)).unwrap();
    drop(store);
    let mut data = std::fs::read(&path).unwrap();
    let n = data.len();
    assert!(n > 64 * 1024, "{n}");
    data[4096..n - 4096].fill(0x5a);
    std::fs::write(&path, &data).unwrap();
    let result = SqliteStore::open(&path, SqliteOptions::default()).and_then(|s| {
        s.query(&Query {
            text: Some("fan".into()),
            limit: 10_000,
            ..Query::default()
        })?;
        s.count()
    });
    match result {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}"),
        Ok(n) => panic!("damaged database read {n} rows without error"),
    }

    // A directory where the file should be.
    let e = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
}

#[test]
fn a_held_write_lock_gives_locked_after_the_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("logs.db"), fast_timeout()).unwrap();
    store.insert_batch(&records(0..5)).unwrap();

    let other = raw(dir.path());
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let start = Instant::now();
    let e = store.insert_batch(&records(5..10)).unwrap_err();
    let waited = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::Locked, "{e}");
    assert!(waited >= Duration::from_millis(140), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // Readers are not blocked in WAL mode.
    assert_eq!(store.count().unwrap(), 5);
    // A table that still needs its migration cannot be created meanwhile.
    let e = SqliteStore::open(
        dir.path().join("logs.db"),
        fast_timeout().with_table("audit"),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Locked, "{e}");
    // Nothing of the failed batch was written; after the lock is released writes go on.
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(raw_count(&other, "logs"), 5);
    assert_eq!(store.insert_batch(&records(5..10)).unwrap(), 5);
    assert_eq!(raw_count(&other, "logs"), 10);
}

#[test]
fn one_writer_and_one_reader_end_with_the_exact_count() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(dir.path()));
    let done = Arc::new(AtomicBool::new(false));
    const BATCHES: usize = 60;
    const PER_BATCH: usize = 250;

    let writer = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            for b in 0..BATCHES {
                let batch = records(b * PER_BATCH..(b + 1) * PER_BATCH);
                assert_eq!(store.insert_batch(&batch).unwrap(), PER_BATCH);
            }
        })
    };
    let reader = {
        let (store, done) = (Arc::clone(&store), Arc::clone(&done));
        std::thread::spawn(move || {
            let (mut last, mut reads) = (0u64, 0u32);
            while !done.load(Ordering::Acquire) || reads == 0 {
                let n = store.count().unwrap();
                assert!(n >= last, "count went back from {last} to {n}");
                assert_eq!(
                    n % PER_BATCH as u64,
                    0,
                    "a batch is seen whole or not at all"
                );
                last = n;
                let q = Query {
                    min_level: Some(Level::Error),
                    limit: 50,
                    ..Query::default()
                };
                let page = store.query(&q).unwrap();
                assert!(page.records.windows(2).all(|w| w[0].id > w[1].id));
                assert!(page.records.iter().all(|r| r.record.level >= Level::Error));
                reads += 1;
            }
            reads
        })
    };
    writer.join().unwrap();
    done.store(true, Ordering::Release);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    let total = (BATCHES * PER_BATCH) as u64;
    assert_eq!(store.count().unwrap(), total);
    // In the file: the head rows and the sealed blocks add up, and every id is there once.
    let conn = raw(dir.path());
    let (head, sealed): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM logs), (SELECT coalesce(sum(n), 0) FROM logs_blocks)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(sealed >= 8_192, "{sealed} records sealed");
    assert_eq!((head + sealed) as u64, total);
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
    assert_eq!(ids.len() as u64, total);
}

/// Rows per second for 1,000-record batches and for one commit per row. Each round's records
/// are later in time than the last round's, as a logger's are (reinserting the same
/// timestamps would scatter every index insert across the whole index). Set
/// `HWLOG_BENCH_HEAVY=1` to insert the test fixture's records instead (long unicode messages,
/// about ten fields each).
#[test]
#[ignore = "throughput measurement; run in release with --ignored --nocapture"]
fn insert_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let heavy = std::env::var_os("HWLOG_BENCH_HEAVY").is_some();
    // A typical service log line: request message, component, correlation id, three fields.
    let round = |k: usize| -> Vec<hwlog_core::Record> {
        if heavy {
            let mut batch = records(0..1000);
            for r in &mut batch {
                let ts = r.timestamp.as_nanos() + k as i64 * 1000 * MS;
                r.timestamp = hwlog_core::Timestamp::from_nanos(ts);
            }
            return batch;
        }
        (0..1000)
            .map(|i| {
                let n = k * 1000 + i;
                let level = [Level::Info, Level::Info, Level::Debug, Level::Warning][n % 4];
                let mut r = hwlog_core::Record::new(
                    level,
                    COMPONENTS[n % 5],
                    format!(
                        "GET /api/v1/nodes/{} returned {} in {} ms",
                        n % 300,
                        200 + n % 3,
                        n % 97
                    ),
                );
                r.timestamp = hwlog_core::Timestamp::from_nanos(T0 + n as i64 * MS);
                r.correlation_id = Some(format!("req-{:08x}", n / 4).into());
                r.push_field("host", format!("node-{}", n % 40));
                r.push_field("status", 200 + (n % 3) as u64);
                r.push_field("duration_ms", (n % 97) as f64 + 0.25);
                r
            })
            .collect()
    };
    store.insert_batch(&round(0)).unwrap();
    let rounds = 200;
    let batches: Vec<_> = (1..=rounds).map(round).collect();
    let start = Instant::now();
    for b in &batches {
        store.insert_batch(b).unwrap();
    }
    let batched = (rounds * 1000) as f64 / start.elapsed().as_secs_f64();

    let single = 3000;
    let later = round(rounds + 1);
    let start = Instant::now();
    for r in later.iter().cycle().take(single) {
        store.insert_one_autocommit(r).unwrap();
    }
    let per_row = single as f64 / start.elapsed().as_secs_f64();
    println!(
        "{}: batched (1,000/tx): {batched:.0} rows/s over {} rows; one commit per row: {per_row:.0} rows/s",
        if heavy { "fixture records" } else { "typical records" },
        rounds * 1000
    );
    assert_eq!(
        store.count().unwrap(),
        (1000 + rounds * 1000 + single) as u64
    );
}
