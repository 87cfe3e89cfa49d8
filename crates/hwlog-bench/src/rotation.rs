//! `hwlog-bench rotation-latency`: the caller's latency while the rotating file route
//! rotates and compresses.
//!
//! One thread logs through the production-style route (non-blocking, JSON, rotating file,
//! zstd level 9 on a background thread) with a small rotation size, so dozens of rotations
//! and compressions happen during the run. The load is paced (bursts of 256 records, 200 µs
//! apart, about a million records per second) so the queue never fills: what is measured is
//! the logging call itself while rotation and compression run, not backpressure. Every call
//! is timed; the result has the percentiles and the maximum, and the number of rotated files.
//! `NOCOMP=1` turns compression off and `NOROT=1` rotation (to tell their effects apart);
//! `TOPLAT=1` prints the five slowest calls with their index on stderr.
use std::time::{Duration, Instant};

use hwlog::dispatch;
use hwlog::format::{Json, TimeZone};
use hwlog::nonblocking::{NonBlockingOptions, Overflow};
use hwlog::pipeline::{Pipeline, Route};
use hwlog::sink::rotating::{Compression, RotatingFileSink, RotationPolicy};
use hwlog::Level;
use serde_json::{json, Value};

/// Runs `n` records into `dir`.
pub fn run(dir: &std::path::Path, n: usize) -> Result<Value, String> {
    let policy = RotationPolicy {
        compression: if std::env::var_os("NOCOMP").is_some() {
            Compression::None
        } else {
            Compression::Zstd { level: 9 }
        },
        max_bytes: if std::env::var_os("NOROT").is_some() {
            None
        } else {
            Some(4 << 20)
        },
        max_files: Some(10_000),
        ..RotationPolicy::default()
    };
    let sink = RotatingFileSink::new(dir.join("rot.jsonl"), policy).map_err(|e| e.to_string())?;
    let route = Route::new(
        "file",
        Level::Info,
        Vec::new(),
        Box::new(Json::new(TimeZone::Utc)),
        std::sync::Arc::new(sink),
    )
    .non_blocking(NonBlockingOptions {
        capacity: 65_536,
        overflow: Overflow::Block,
        batch: 1024,
        flush_interval: Duration::from_millis(100),
    });
    dispatch::install(Pipeline::new("rotation", vec![route]));
    let log = hwlog::get_logger("hwautomation.hardware.ipmi").with_correlation("req-7f3a9c2e");
    // Touch every page of the sample buffer now: a page fault in the timed loop would be
    // measured as the logging call's latency.
    let mut lat = vec![1.0f64; n];
    lat.clear();
    // Warm-up, not timed: the first call sets up the logger's thread-local state, the
    // queue and the clock calibration (about 0.8 ms once).
    for i in 0..10_000u64 {
        log.at(Level::Info)
            .field("host", "10.20.30.40")
            .field("port", 623u64)
            .field("attempt", i)
            .log("IPMI power status query completed for BMC");
    }
    let mut i = 0u64;
    while (i as usize) < n {
        for _ in 0..256 {
            let t = Instant::now();
            log.at(Level::Info)
                .field("host", "10.20.30.40")
                .field("port", 623u64)
                .field("attempt", i)
                .log("IPMI power status query completed for BMC");
            lat.push(t.elapsed().as_nanos() as f64);
            i += 1;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let _status = hwlog::shutdown();
    let rotated = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".zst"))
        .count();
    if std::env::var_os("TOPLAT").is_some() {
        let mut idx: Vec<usize> = (0..lat.len()).collect();
        idx.sort_by(|&a, &b| lat[b].total_cmp(&lat[a]));
        for &k in idx.iter().take(5) {
            eprintln!("#{k}: {} ns", lat[k]);
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1];
    Ok(json!({
        "records": n,
        "rotated_files": rotated,
        "p50_ns": pct(0.5),
        "p99_ns": pct(0.99),
        "p999_ns": pct(0.999),
        "p9999_ns": pct(0.9999),
        "max_ns": lat[lat.len() - 1],
        "over_1ms": lat.iter().filter(|&&x| x > 1e6).count(),
    }))
}
