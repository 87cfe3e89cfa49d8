//! `hwlog-bench scaling`: acknowledged records per second over HTTP into one server on
//! SQLite, one server on PostgreSQL, and two servers sharing that PostgreSQL, in one run.
//!
//! PostgreSQL runs from a temp dir with `synchronous_commit=off` (fsync on): a commit is
//! acknowledged before its WAL reaches the disk, which is the durability of the SQLite
//! store's `synchronous=NORMAL` in WAL mode (a power cut may lose the last commits, a
//! crash of the server process loses nothing).
use serde_json::{json, Value};

#[path = "../../hwlog-store/tests/pg/mod.rs"]
mod pg;

use crate::ingest;

/// Runs the three configurations with `records` each.
pub fn run(records: usize, clients: usize) -> Result<Value, String> {
    let sqlite = ingest::run(records, 1000, clients)?;
    eprintln!("scaling: sqlite {}", sqlite["records_per_s"]);
    let server = pg::PgServer::start_with("scaling", "-c synchronous_commit=off")
        .ok_or("PostgreSQL is not installed")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let opts = |url: &str| hwlog_server::ServeOptions {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("address"),
        store: Some(url.to_string()),
        ..Default::default()
    };
    let one_url = server.new_db("one");
    let one = ingest::run_on(&[opts(&one_url)], records, 1000, clients)?;
    eprintln!("scaling: postgres, 1 server {}", one["records_per_s"]);
    let two_url = server.new_db("two");
    let two = ingest::run_on(&[opts(&two_url), opts(&two_url)], records, 1000, clients)?;
    eprintln!("scaling: postgres, 2 servers {}", two["records_per_s"]);
    let rate = |v: &Value| v["records_per_s"].as_f64().unwrap_or(0.0);
    Ok(json!({
        "records": records,
        "clients": clients,
        "records_per_s": {
            "sqlite_1_server": rate(&sqlite),
            "postgres_1_server": rate(&one),
            "postgres_2_servers": rate(&two),
        },
        "ratio_postgres_1_to_sqlite": rate(&one) / rate(&sqlite).max(1e-9),
        "ratio_postgres_2_to_1": rate(&two) / rate(&one).max(1e-9),
    }))
}
