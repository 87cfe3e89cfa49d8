use hwlog::{Level, Record};
use hwlog_store::{SqliteOptions, SqliteStore, Store};
fn main() {
    let dir = tempfile::tempdir().unwrap();
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(300_000);
    let batch: usize = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
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
    let s = SqliteStore::open(dir.path().join("p.db"), SqliteOptions::default()).unwrap();
    let t = std::time::Instant::now();
    for c in records.chunks(batch) {
        s.insert_batch(c).unwrap();
    }
    println!("{:.0} rows/s", n as f64 / t.elapsed().as_secs_f64());
}
