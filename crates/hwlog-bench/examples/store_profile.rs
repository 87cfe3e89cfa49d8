//! Insert rate of `hwlog-store` alone, for profiling (`perf record`) and for trying the cost
//! of each index: `store_profile [ROWS] [SQL run on the fresh database before inserting]`,
//! batch size from `B` (default 1000).
//!
//! ```text
//! cargo run --release -p hwlog-bench --example store_profile -- 200000 "DROP INDEX logs_ts"
//! ```
use hwlog::{Level, Record};
use hwlog_store::{SqliteOptions, SqliteStore, Store};

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300_000);
    let prepare = std::env::args().nth(2).unwrap_or_default();
    let batch: usize = std::env::var("B")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let records: Vec<Record> = (0..n)
        .map(|i| {
            let mut r = Record::new(
                Level::Info,
                "hwautomation.hardware.ipmi",
                "IPMI power status query completed for BMC",
            )
            .with_field("host", "10.20.30.40")
            .with_field("port", 623u64)
            .with_field("attempt", i as u64);
            r.correlation_id = Some("req-7f3a9c2e".into());
            r
        })
        .collect();
    let path = dir.path().join("p.db");
    drop(SqliteStore::open(&path, SqliteOptions::default()).expect("open"));
    if !prepare.is_empty() {
        rusqlite::Connection::open(&path)
            .and_then(|c| c.execute_batch(&prepare))
            .expect("prepare SQL");
    }
    let s = SqliteStore::open(&path, SqliteOptions::default()).expect("open");
    let t = std::time::Instant::now();
    for c in records.chunks(batch.max(1)) {
        s.insert_batch(c).expect("insert");
    }
    println!("{:.0} rows/s", n as f64 / t.elapsed().as_secs_f64());
}
