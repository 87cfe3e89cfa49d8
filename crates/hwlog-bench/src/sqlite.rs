//! SQLite insert rate: batches of 4,096 rows (the batch of the development profile's database
//! route), one transaction each, against one transaction per row (autocommit). Runs in the
//! parent process.
//!
//! The figures come from `hwlog-store` (`SqliteStore::insert_batch` / `insert_one_autocommit`,
//! default options: WAL, synchronous=NORMAL, indexes, FTS5 message index). The same two modes
//! against plain rusqlite (same pragmas, four indexes, no full-text index, prepared statement)
//! are a reference: the gap is what the store adds per row.
use std::path::Path;
use std::time::Instant;

use hwlog::{Level, Record};
use hwlog_store::{SqliteOptions, SqliteStore, Store};
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use crate::contenders::{CORRELATION_ID, HOST, MESSAGE, PORT};

/// Rows per transaction in the batched run: the batch of the development profile's database
/// route (`crates/hwlog/src/config/profiles.toml`).
pub const BATCH: usize = 4_096;

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS records (
        id INTEGER PRIMARY KEY,
        ts_us INTEGER NOT NULL,
        level INTEGER NOT NULL,
        component TEXT NOT NULL,
        correlation_id TEXT,
        message TEXT NOT NULL,
        fields TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS records_ts ON records (ts_us);
    CREATE INDEX IF NOT EXISTS records_level ON records (level);
    CREATE INDEX IF NOT EXISTS records_component ON records (component);
    CREATE INDEX IF NOT EXISTS records_correlation ON records (correlation_id);
";

const INSERT: &str =
    "INSERT INTO records (ts_us, level, component, correlation_id, message, fields)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Inserts one benchmark row with the statement `stmt`.
fn insert(stmt: &mut rusqlite::Statement<'_>, i: usize) -> rusqlite::Result<()> {
    let fields = format!(r#"{{"host":"{HOST}","port":{PORT},"attempt":{i}}}"#);
    stmt.execute(params![
        now_us(),
        20,
        "hwautomation.hardware.ipmi",
        CORRELATION_ID,
        MESSAGE,
        fields
    ])?;
    Ok(())
}

fn raw_batched(path: &Path, rows: usize) -> rusqlite::Result<f64> {
    let mut conn = open(path)?;
    let start = Instant::now();
    let mut done = 0;
    while done < rows {
        let n = BATCH.min(rows - done);
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(INSERT)?;
            for i in done..done + n {
                insert(&mut stmt, i)?;
            }
        }
        tx.commit()?;
        done += n;
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}

fn raw_per_row(path: &Path, rows: usize) -> rusqlite::Result<f64> {
    let conn = open(path)?;
    let start = Instant::now();
    for i in 0..rows {
        let mut stmt = conn.prepare_cached(INSERT)?;
        insert(&mut stmt, i)?;
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}

/// The benchmark record with `attempt = i`.
fn record(i: usize) -> Record {
    let mut r = Record::new(Level::Info, "hwautomation.hardware.ipmi", MESSAGE)
        .with_field("host", HOST)
        .with_field("port", PORT)
        .with_field("attempt", i as u64);
    r.correlation_id = Some(CORRELATION_ID.into());
    r
}

/// Rows/s through `hwlog-store`: `(batched, per_row)`. Records are built before the clock
/// starts; the store encodes and inserts them.
fn store(dir: &Path, batched_rows: usize, per_row_rows: usize) -> Result<(f64, f64), String> {
    let err = |e: hwlog_store::Error| format!("hwlog-store: {e}");
    let records: Vec<Record> = (0..batched_rows.max(per_row_rows)).map(record).collect();
    let b =
        SqliteStore::open(dir.join("store-batched.db"), SqliteOptions::default()).map_err(err)?;
    let start = Instant::now();
    for chunk in records[..batched_rows].chunks(BATCH) {
        b.insert_batch(chunk).map_err(err)?;
    }
    let batched = batched_rows as f64 / start.elapsed().as_secs_f64();
    let p =
        SqliteStore::open(dir.join("store-per-row.db"), SqliteOptions::default()).map_err(err)?;
    let start = Instant::now();
    for r in &records[..per_row_rows] {
        p.insert_one_autocommit(r).map_err(err)?;
    }
    let per_row = per_row_rows as f64 / start.elapsed().as_secs_f64();
    for (s, want) in [(&b, batched_rows), (&p, per_row_rows)] {
        let have = s.count().map_err(err)?;
        if have != want as u64 {
            return Err(format!("hwlog-store: {have} of {want} rows stored"));
        }
    }
    Ok((batched, per_row))
}

fn count(path: &Path) -> rusqlite::Result<u64> {
    let n: i64 =
        Connection::open(path)?.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
    Ok(n as u64)
}

/// Runs both modes through `hwlog-store` and through plain rusqlite in `dir`; returns
/// `{"batched": rows/s, "per_row": rows/s, "raw_rusqlite": {...}, ...}`.
pub fn run(dir: &Path, batched_rows: usize, per_row_rows: usize) -> Result<Value, String> {
    let (batched, per_row) = store(dir, batched_rows, per_row_rows)?;
    let err = |e: rusqlite::Error| format!("rusqlite: {e}");
    let b_path = dir.join("raw-batched.db");
    let p_path = dir.join("raw-per-row.db");
    let raw_b = raw_batched(&b_path, batched_rows).map_err(err)?;
    let raw_p = raw_per_row(&p_path, per_row_rows).map_err(err)?;
    for (path, want) in [(&b_path, batched_rows), (&p_path, per_row_rows)] {
        let have = count(path).map_err(err)?;
        if have != want as u64 {
            return Err(format!(
                "rusqlite: {have} of {want} rows in {}",
                path.display()
            ));
        }
    }
    Ok(json!({
        "batched": batched,
        "per_row": per_row,
        "backend": "hwlog-store SqliteStore (default options)",
        "batched_rows": batched_rows,
        "rows_per_transaction": BATCH,
        "per_row_rows": per_row_rows,
        "raw_rusqlite": {
            "batched": raw_b,
            "per_row": raw_p,
            "note": "plain rusqlite, WAL, synchronous=NORMAL, 4 indexes, no FTS",
        },
    }))
}
