//! The two logging workloads, run inside a child process against one contender.
//!
//! * caller: per thread, bursts of records; each burst is timed with `Instant` and gives one
//!   ns-per-record sample. Between bursts every contender is drained to the same condition:
//!   its library's own flush where it has one, then waiting until its output file holds
//!   every record logged so far, then a short sleep; so the samples measure the caller's
//!   cost, not a full queue. CPU time (user + system, `getrusage`, every thread of the
//!   process, the drain's own line counting left out) per record is reported beside it.
//!   With one thread, a paced run follows: one record every 50 µs, each call timed alone
//!   (p50, p99, p99.9, max).
//! * file: N records from one thread, then the contender's flush-and-wait; records/s is N over
//!   the whole time until everything is written.
//!
//! Both count the lines written afterwards and fail if any record is missing.
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::contenders::Contender;
use crate::output::{count_lines, dir_bytes, process_cpu_ns, thread_cpu_ns, Tail};

/// Bursts run before the timed ones (file open, thread-locals, queue allocation).
pub const WARMUP_BURSTS: usize = 2;
/// Pause after each burst's drain, so the backend's worker is idle when the next burst starts.
pub const DRAIN_SLEEP: Duration = Duration::from_millis(10);
/// Longest wait for a contender's output to hold every record after a burst.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Records of the paced run (one thread only), and the interval between them.
pub const PACED: usize = 20_000;
/// Interval of the paced run.
pub const PACE: Duration = Duration::from_micros(50);

/// Settings of the caller workload.
#[derive(Clone, Copy, Debug)]
pub struct CallerParams {
    /// Logging threads.
    pub threads: usize,
    /// Timed bursts per thread.
    pub bursts: usize,
    /// Records per burst.
    pub burst: usize,
}

/// Runs the caller workload; returns its JSON result.
pub fn caller(c: Arc<dyn Contender>, dir: &Path, p: CallerParams) -> Result<Value, String> {
    let barrier = Arc::new(Barrier::new(p.threads));
    let per_burst = (p.threads * p.burst) as u64;
    let output = c.output(dir);
    let cpu_start = process_cpu_ns();
    let mut handles = Vec::new();
    for t in 0..p.threads {
        let c = c.clone();
        let barrier = barrier.clone();
        let mut tail = output.clone().map(Tail::new);
        handles.push(std::thread::spawn(
            move || -> Result<(Vec<f64>, u64), String> {
                let mut samples = Vec::with_capacity(p.bursts);
                let mut counting_cpu = 0u64;
                let mut i = (t * (p.bursts + WARMUP_BURSTS) * p.burst) as u64;
                for b in 0..p.bursts + WARMUP_BURSTS {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..p.burst {
                        c.log(i);
                        i += 1;
                    }
                    let ns = start.elapsed().as_nanos() as f64 / p.burst as f64;
                    if b >= WARMUP_BURSTS {
                        samples.push(ns);
                    }
                    barrier.wait();
                    if t == 0 {
                        c.drain();
                        if let Some(tail) = tail.as_mut() {
                            let before = thread_cpu_ns();
                            let r = tail.wait_for((b as u64 + 1) * per_burst, DRAIN_TIMEOUT);
                            counting_cpu += thread_cpu_ns().saturating_sub(before);
                            r?;
                        }
                        std::thread::sleep(DRAIN_SLEEP);
                    }
                    // Everyone waits for the drain before the next burst.
                    barrier.wait();
                }
                Ok((samples, counting_cpu))
            },
        ));
    }
    let mut samples = Vec::new();
    let mut counting_cpu = 0;
    for h in handles {
        let (s, c) = h
            .join()
            .map_err(|_| "a logging thread panicked".to_string())??;
        samples.extend(s);
        counting_cpu += c;
    }
    let cpu = process_cpu_ns()
        .saturating_sub(cpu_start)
        .saturating_sub(counting_cpu);
    let burst_records = (p.threads * (p.bursts + WARMUP_BURSTS) * p.burst) as u64;
    let paced = if p.threads == 1 {
        Some(paced(&*c, burst_records)?)
    } else {
        None
    };
    let started = Instant::now();
    c.finish();
    let finish_ms = started.elapsed().as_secs_f64() * 1e3;
    let expected = burst_records + paced.as_ref().map_or(0, |_| PACED as u64);
    let lines = check_lines(dir, expected)?;
    samples.sort_by(f64::total_cmp);
    let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
    Ok(json!({
        "workload": "caller",
        "threads": p.threads,
        "bursts": samples.len(),
        "burst": p.burst,
        "median_ns": percentile(&samples, 0.5),
        "mean_ns": mean,
        "p10_ns": percentile(&samples, 0.1),
        "p90_ns": percentile(&samples, 0.9),
        "cpu_ns_per_record": cpu as f64 / burst_records as f64,
        "paced": paced,
        "lines": lines,
        "finish_ms": finish_ms,
    }))
}

/// One record every [`PACE`], each call timed alone; `first` is the next attempt number.
fn paced(c: &dyn Contender, first: u64) -> Result<Value, String> {
    let mut ns = Vec::with_capacity(PACED);
    let start = Instant::now();
    for k in 0..PACED {
        let slot = start + PACE * k as u32;
        while Instant::now() < slot {
            std::hint::spin_loop();
        }
        let t0 = Instant::now();
        c.log(first + k as u64);
        ns.push(t0.elapsed().as_nanos() as f64);
    }
    ns.sort_by(f64::total_cmp);
    Ok(json!({
        "records": PACED,
        "interval_us": PACE.as_micros() as u64,
        "p50_ns": percentile(&ns, 0.5),
        "p99_ns": percentile(&ns, 0.99),
        "p999_ns": percentile(&ns, 0.999),
        "max_ns": ns.last().copied().unwrap_or(0.0),
    }))
}

/// Runs the file workload; returns its JSON result.
pub fn file(c: Arc<dyn Contender>, dir: &Path, records: u64) -> Result<Value, String> {
    let start = Instant::now();
    for i in 0..records {
        c.log(i);
    }
    let logged = start.elapsed();
    c.finish();
    let total = start.elapsed();
    let lines = check_lines(dir, records)?;
    Ok(json!({
        "workload": "file",
        "records": records,
        "log_secs": logged.as_secs_f64(),
        "total_secs": total.as_secs_f64(),
        "records_per_s": records as f64 / total.as_secs_f64(),
        "lines": lines,
        "bytes": dir_bytes(dir),
    }))
}

/// The `q` quantile of sorted samples (nearest rank).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Counts the lines in every file under `dir`; errors unless there are exactly `expected`.
fn check_lines(dir: &Path, expected: u64) -> Result<u64, String> {
    let lines =
        count_lines(dir).map_err(|e| format!("cannot read output in {}: {e}", dir.display()))?;
    if lines < expected {
        return Err(format!(
            "RECORDS MISSING: {} of {expected} records written ({} lost) in {}",
            lines,
            expected - lines,
            dir.display()
        ));
    }
    if lines > expected {
        return Err(format!(
            "unexpected output: {lines} lines for {expected} records in {}",
            dir.display()
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.5), 3.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 5.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn counts_plain_and_zstd_lines_and_reports_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.log"), "1\n2\n3\n").unwrap();
        let packed = zstd::encode_all(&b"4\n5\n"[..], 3).unwrap();
        std::fs::create_dir(dir.path().join("old")).unwrap();
        std::fs::write(dir.path().join("old/b.log.zst"), packed).unwrap();
        assert_eq!(count_lines(dir.path()).unwrap(), 5);
        assert_eq!(check_lines(dir.path(), 5).unwrap(), 5);
        let err = check_lines(dir.path(), 7).unwrap_err();
        assert!(err.contains("RECORDS MISSING: 5 of 7"), "{err}");
        assert!(check_lines(dir.path(), 4).is_err());
    }
}
