//! `hwlog-bench rotation-latency`: the caller's latency while the rotating file route
//! rotates and compresses.
//!
//! One thread logs through the production-style route (non-blocking, JSON, rotating file,
//! zstd level 9 on a background thread) with a small rotation size, so dozens of rotations
//! and compressions happen during the run. The load is paced (bursts of 256 records, 200 µs
//! apart, about a million records per second) so the queue never fills: what is measured is
//! the logging call itself while rotation and compression run, not backpressure. Every call
//! is timed; the result has the percentiles and the maximum, and the number of rotated files.
//! Before it, the same timed loop runs without the logging call: that control's maximum is
//! what the machine itself adds to any call; the hypervisor's steal time during each run comes
//! from `/proc/stat`.
//! `NOCOMP=1` turns compression off and `NOROT=1` rotation (to tell their effects apart);
//! `TOPLAT=1` prints on stderr every call over 1 ms as it happens (index, latency, start as
//! `CLOCK_MONOTONIC`, to find it in `perf sched record -k CLOCK_MONOTONIC`) and the five slowest
//! calls at the end.
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
    // Warm-up, not timed: the first call sets up the logger's thread-local state, the
    // queue and the clock calibration (about 0.8 ms once).
    for i in 0..10_000u64 {
        log.at(Level::Info)
            .field("host", "10.20.30.40")
            .field("port", 623u64)
            .field("attempt", i)
            .log("IPMI power status query completed for BMC");
    }
    // The control: the same timed, paced loop without the logging call, before the logging
    // run. Its maximum is what the machine adds to any call (interrupts, preemption, the
    // hypervisor), with no logging at all.
    let steal_before = steal_ms();
    let control = timed(n, |i| {
        std::hint::black_box(i);
    });
    let control_steal = steal_ms().zip(steal_before).map(|(a, b)| a - b);
    let steal_before = steal_ms();
    let mut lat = timed(n, |i| {
        log.at(Level::Info)
            .field("host", "10.20.30.40")
            .field("port", 623u64)
            .field("attempt", i)
            .log("IPMI power status query completed for BMC");
    });
    let steal = steal_ms().zip(steal_before).map(|(a, b)| a - b);
    let worker = hwlog::logging_status()
        .routes
        .first()
        .and_then(|r| r.non_blocking.clone());
    let _status = hwlog::shutdown();
    let zst: Vec<u64> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".zst"))
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .collect();
    let rotated = zst.len();
    if std::env::var_os("TOPLAT").is_some() {
        let mut idx: Vec<usize> = (0..lat.len()).collect();
        idx.sort_by(|&a, &b| lat[b].total_cmp(&lat[a]));
        for &k in idx.iter().take(5) {
            eprintln!("#{k}: {} ns", lat[k]);
        }
    }
    let mut result = summary(&mut lat);
    result["records"] = json!(n);
    result["rotated_files"] = json!(rotated);
    result["worker"] = json!(worker);
    result["compressed_bytes"] = json!(zst.iter().sum::<u64>());
    result["steal_ms"] = json!(steal);
    let mut control = control;
    result["control"] = summary(&mut control);
    result["control"]["steal_ms"] = json!(control_steal);
    Ok(result)
}

/// Times `n` calls of `f` (given the call's index) in bursts of 256, 200 µs apart; returns
/// each call's latency in ns.
fn timed(n: usize, mut f: impl FnMut(u64)) -> Vec<f64> {
    // Touch every page of the sample buffer now: a page fault in the timed loop would be
    // measured as the call's latency.
    let mut lat = vec![1.0f64; n];
    lat.clear();
    let mut i = 0u64;
    while (i as usize) < n {
        for _ in 0..256 {
            let t = Instant::now();
            f(i);
            let ns = t.elapsed().as_nanos() as f64;
            if ns > 1e6 && std::env::var_os("TOPLAT").is_some() {
                eprintln!("slow call #{i}: {ns} ns, started {t:?}");
            }
            lat.push(ns);
            i += 1;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    lat
}

/// Percentiles, maximum and calls over 1 ms of `lat` (sorted in place).
fn summary(lat: &mut [f64]) -> Value {
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1];
    json!({
        "p50_ns": pct(0.5),
        "p99_ns": pct(0.99),
        "p999_ns": pct(0.999),
        "p9999_ns": pct(0.9999),
        "max_ns": lat[lat.len() - 1],
        "over_1ms": lat.iter().filter(|&&x| x > 1e6).count(),
    })
}

/// CPU time the hypervisor gave to other guests ("steal", all CPUs) since boot, in ms; `None`
/// where `/proc/stat` is not there.
fn steal_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: f64 = stat
        .lines()
        .next()?
        .split_whitespace()
        .nth(8)?
        .parse()
        .ok()?;
    // USER_HZ is 100 on every Linux architecture Rust targets.
    Some(ticks * 10.0)
}
