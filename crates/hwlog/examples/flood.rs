//! `flood --threads T --records N --dir DIR`: N INFO records per thread, as fast as possible,
//! through a production-style file route (non-blocking, JSON, size rotation with zstd; no level
//! or rate-limit filter) into DIR. Then it shuts logging down, which writes every queued record
//! and waits for the compression of rotated files, and prints what it wrote.
//!
//! ```sh
//! cargo run --release -p hwlog --example flood -- --threads 4 --records 250000 --dir /tmp/flood
//! ```
use std::time::Instant;

use hwlog::{get_logger, Level};

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let threads: u64 = arg(&args, "--threads", "4").parse()?;
    let records: u64 = arg(&args, "--records", "250000").parse()?;
    let dir = arg(&args, "--dir", "flood-logs");
    let rotate_mb = arg(&args, "--rotate-mb", "16");
    std::fs::create_dir_all(&dir)?;
    let cfg = std::path::Path::new(&dir).join("flood.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[profiles.flood]
level = "INFO"
log_dir = {dir:?}
features = {{}}

[[profiles.flood.routes]]
name = "file"
sink = {{ type = "file", path = "flood.jsonl", rotate = {{ max_bytes = "{rotate_mb}MB", compression = "zstd", max_files = 100000 }} }}
format = "json"
buffer = {{ capacity = 65536, overflow = "block", batch = 1024 }}
"#
        ),
    )?;
    let _guard = hwlog::Builder::new()
        .config_file(&cfg)
        .profile("flood")
        .init()?;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                let log = get_logger("flood");
                for i in 0..records {
                    log.at(Level::Info)
                        .field("thread", t)
                        .field("i", i)
                        .field("host", "10.0.0.5")
                        .log("flood record");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().map_err(|_| "a logging thread panicked")?;
    }
    let logged = start.elapsed();
    let status = hwlog::shutdown();
    let total = start.elapsed();
    let n = threads * records;
    println!(
        "flood: {n} records from {threads} threads logged in {:.3}s ({:.0} records/s), all written in {:.3}s",
        logged.as_secs_f64(),
        n as f64 / logged.as_secs_f64(),
        total.as_secs_f64()
    );
    println!("{status}");
    Ok(())
}
