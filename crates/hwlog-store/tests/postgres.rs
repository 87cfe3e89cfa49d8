//! What only the PostgreSQL store does: daily partitions, the feed of other writers'
//! batches, leadership, reconnection after the server restarts.
#![cfg(feature = "postgres")]
mod common;
mod pg;

use std::time::{Duration, Instant};

use common::*;
use hwlog_core::{Level, Record, Timestamp};
use hwlog_store::{ErrorKind, PgOptions, PgStore, Retention, Store};

const DAY: i64 = 86_400 * 1_000_000_000;

fn partitions(url: &str, table: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.query(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1 ORDER BY 1",
        &[&table],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn partitions_feed_leadership_and_reconnection() {
    let Some(mut server) = pg::PgServer::start("partitions_feed_leadership_and_reconnection")
    else {
        return;
    };
    let url = server.url("hwlog");
    let a = PgStore::connect(&url, PgOptions::default()).unwrap();
    let b = PgStore::connect(&url, PgOptions::default()).unwrap();

    // One partition per day of the records, named by date.
    let mut recs = records(0..3);
    recs[1].timestamp = Timestamp::from_nanos(T0 + DAY);
    recs[2].timestamp = Timestamp::from_nanos(T0 + 2 * DAY + 5);
    a.insert_batch(&recs).unwrap();
    assert_eq!(
        partitions(&url, "logs"),
        ["logs_p20260101", "logs_p20260102", "logs_p20260103"]
    );
    // Retention by age drops whole days.
    let age = Timestamp::now().as_nanos() - (T0 + DAY + DAY / 2);
    let r = Retention {
        max_age: Some(Duration::from_nanos(age as u64)),
        max_rows: None,
    };
    assert_eq!(b.apply_retention(&r).unwrap().deleted, 2);
    // The first day went whole; the cutoff's day lost its rows before the cutoff.
    assert_eq!(
        partitions(&url, "logs"),
        ["logs_p20260102", "logs_p20260103"]
    );
    // `a` still believes in the dropped day: its insert recreates it.
    a.insert_batch(&recs[..1]).unwrap();
    assert_eq!(a.count().unwrap(), 2);

    // The feed: what `a` commits reaches `b`'s subscription, not `a`'s own.
    let mut feed_a = a.subscribe().unwrap().unwrap();
    let mut feed_b = b.subscribe().unwrap().unwrap();
    assert!(feed_b
        .next(Duration::from_millis(50))
        .unwrap()
        .records
        .is_empty());
    assert!(feed_a
        .next(Duration::from_millis(50))
        .unwrap()
        .records
        .is_empty());
    let batch: Vec<Record> = (0..500)
        .map(|i| Record::new(Level::Info, "feed", format!("fed {i}")))
        .collect();
    a.insert_batch(&batch).unwrap();
    b.insert_batch(&[Record::new(Level::Info, "feed", "from b")])
        .unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.len() < 500 {
        assert!(Instant::now() < deadline, "{} of 500 arrived", got.len());
        got.extend(feed_b.next(Duration::from_millis(200)).unwrap().records);
    }
    let msgs: Vec<String> = got.iter().map(|r| r.record.message.to_string()).collect();
    assert_eq!(
        msgs,
        (0..500).map(|i| format!("fed {i}")).collect::<Vec<_>>()
    );
    let mine = feed_a.next(Duration::from_millis(300)).unwrap().records;
    assert_eq!(mine.len(), 1, "a sees b's batch only");
    assert_eq!(mine[0].record.message, "from b");
    // Broadcast messages reach the others, in order.
    assert!(a.broadcast("ack 3 ops").unwrap());
    assert!(a.broadcast("resolve 3").unwrap());
    let mut msgs = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while msgs.len() < 2 {
        assert!(Instant::now() < deadline, "{msgs:?}");
        msgs.extend(feed_b.next(Duration::from_millis(200)).unwrap().messages);
    }
    assert_eq!(msgs, ["ack 3 ops", "resolve 3"]);
    assert!(feed_a
        .next(Duration::from_millis(100))
        .unwrap()
        .messages
        .is_empty());

    // Leadership: one at a time; when the leader goes, another takes over.
    let mut la = a.leadership().unwrap().unwrap();
    let mut lb = b.leadership().unwrap().unwrap();
    assert!(la.is_leader());
    assert!(!lb.is_leader());
    assert!(la.is_leader());
    drop(la);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lb.is_leader() {
        assert!(Instant::now() < deadline, "b never took the lead");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Server restart: calls fail as unavailable meanwhile, then work again.
    server.stop();
    let quick = PgStore::connect(
        &url,
        PgOptions::default().with_connect_timeout(Duration::from_millis(500)),
    );
    assert_eq!(quick.err().map(|e| e.kind()), Some(ErrorKind::Unavailable));
    assert!(!lb.is_leader(), "no lead without the database");
    let e = feed_b.next(Duration::from_millis(50));
    assert!(e.is_err() || e.unwrap().records.is_empty());
    server.start_again();
    let n = a.count().unwrap();
    a.insert_batch(&records(0..10)).unwrap();
    assert_eq!(a.count().unwrap(), n + 10);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lb.is_leader() {
        assert!(Instant::now() < deadline, "b never took the lead again");
        std::thread::sleep(Duration::from_millis(50));
    }
}
