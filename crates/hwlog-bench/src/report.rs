//! The comparison table and the JSON summary.
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::contenders::{self, Info};
use crate::workload::{DRAIN_SLEEP, PACE, PACED, WARMUP_BURSTS};
use crate::Params;

/// One contender's three runs.
pub struct Row<'a> {
    pub info: &'a Info,
    pub caller1: Result<Value, String>,
    pub caller2: Result<Value, String>,
    pub file: Result<Value, String>,
    /// Rounds each figure is the median of.
    pub rounds: usize,
}

/// Everything `compare` measured.
pub struct Results<'a> {
    pub params: Params,
    pub rows: Vec<Row<'a>>,
    pub sqlite: Result<Value, String>,
    pub zstd: Result<Value, String>,
    pub loghub: PathBuf,
    pub secs: f64,
}

impl Results<'_> {
    /// Whether any contender run or the SQLite run failed (a missing loghub is only a note).
    pub fn failed(&self) -> bool {
        self.sqlite.is_err()
            || self
                .rows
                .iter()
                .any(|r| r.caller1.is_err() || r.caller2.is_err() || r.file.is_err())
    }

    fn row(&self, name: &str) -> Option<&Row<'_>> {
        self.rows.iter().find(|r| r.info.name == name)
    }
}

fn num(r: &Result<Value, String>, key: &str) -> Option<f64> {
    r.as_ref().ok()?.get(key)?.as_f64()
}

fn caller1(r: &Row<'_>) -> Option<f64> {
    num(&r.caller1, "median_ns")
}
fn caller2(r: &Row<'_>) -> Option<f64> {
    num(&r.caller2, "median_ns")
}
fn file(r: &Row<'_>) -> Option<f64> {
    num(&r.file, "records_per_s")
}
fn mean1(r: &Row<'_>) -> Option<f64> {
    num(&r.caller1, "mean_ns")
}
fn cpu1(r: &Row<'_>) -> Option<f64> {
    num(&r.caller1, "cpu_ns_per_record")
}
fn paced(r: &Row<'_>, key: &str) -> Option<f64> {
    r.caller1.as_ref().ok()?.get("paced")?.get(key)?.as_f64()
}

/// Bytes written per record in the file workload (formats differ in what they include).
fn bytes_per_record(r: &Row<'_>) -> Option<f64> {
    Some(num(&r.file, "bytes")? / num(&r.file, "lines")?)
}

/// `1234567.8` → `1,234,568`.
fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

fn cell(x: Option<f64>, fmt: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "FAILED".to_string(), fmt)
}

/// How many times better hwlog is: `lower_better` for ns, else for rates.
fn ratio(hw: Option<f64>, other: Option<f64>, lower_better: bool) -> String {
    match (hw, other) {
        (Some(h), Some(o)) if h > 0.0 && o > 0.0 => {
            let r = if lower_better { o / h } else { h / o };
            format!("{r:.2}x")
        }
        _ => "-".into(),
    }
}

/// The comparison table, with notes on method.
pub fn table(r: &Results<'_>) -> String {
    let p = &r.params;
    let mut s = String::new();
    let mode = if p.quick { "--quick" } else { "full" };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(
        s,
        "hwlog-bench compare ({mode}; {cpus} CPUs; took {:.1} s)",
        r.secs
    );
    let rounds = r.rows.first().map_or(1, |row| row.rounds);
    let _ = writeln!(
        s,
        "caller = median ns per record over {} bursts x {} records per thread (after {WARMUP_BURSTS} warm-up bursts);",
        p.bursts, p.burst
    );
    let _ = writeln!(
        s,
        "  between bursts every contender drains to the same condition: its own flush where it has one, then waiting"
    );
    let _ = writeln!(
        s,
        "  until its file holds every record logged so far, then {} ms sleep. 2T = two threads logging at once.",
        DRAIN_SLEEP.as_millis()
    );
    let _ = writeln!(s, "cpu   = CPU time (user+sys, every thread of the process, getrusage) per record over the bursts, drains included.");
    let _ = writeln!(
        s,
        "paced = {} records, one every {} us, each call timed alone (p50 / p99 / p99.9 / max, ns).",
        thousands(PACED as f64),
        PACE.as_micros()
    );
    let _ = writeln!(
        s,
        "file  = {} records from one thread, timed until all are written to the file (no fsync); lines counted after (none missing).",
        thousands(p.file_records as f64)
    );
    let _ = writeln!(s, "All: same record (message, correlation id, host, port, attempt), INFO, temp dir, queues 65,536 records, blocking when full.");
    let _ = writeln!(
        s,
        "Contenders interleaved: {rounds} round(s), each contender once per round; each figure is its median round."
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<18} {:<30} {:>9} {:>9} {:>9} {:>9} {:>24} {:>11} {:>5} | {:>6} {:>6} {:>6} {:>6}",
        "contender",
        "writer",
        "caller 1T",
        "mean 1T",
        "caller 2T",
        "cpu/rec",
        "paced p50/p99/p99.9/max",
        "file rec/s",
        "B/rec",
        "hw 1T",
        "hw 2T",
        "hw cpu",
        "hw fil"
    );
    let _ = writeln!(
        s,
        "{}",
        "-".repeat(18 + 30 + 9 * 4 + 24 + 11 + 5 + 6 * 4 + 14)
    );
    let hw = r.row("hwlog");
    let (h1, h2, hf, hc) = (
        hw.and_then(caller1),
        hw.and_then(caller2),
        hw.and_then(file),
        hw.and_then(cpu1),
    );
    for row in &r.rows {
        let ns = |x: f64| format!("{x:.0}");
        let pc = match (
            paced(row, "p50_ns"),
            paced(row, "p99_ns"),
            paced(row, "p999_ns"),
            paced(row, "max_ns"),
        ) {
            (Some(a), Some(b), Some(c), Some(d)) => format!("{a:.0}/{b:.0}/{c:.0}/{d:.0}"),
            _ => "-".into(),
        };
        let _ = writeln!(
            s,
            "{:<18} {:<30} {:>9} {:>9} {:>9} {:>9} {:>24} {:>11} {:>5} | {:>6} {:>6} {:>6} {:>6}",
            row.info.name,
            row.info.design,
            cell(caller1(row), ns),
            cell(mean1(row), ns),
            cell(caller2(row), ns),
            cell(cpu1(row), ns),
            pc,
            cell(file(row), thousands),
            bytes_per_record(row).map_or_else(|| "-".into(), |b| format!("{b:.0}")),
            ratio(h1, caller1(row), true),
            ratio(h2, caller2(row), true),
            ratio(hc, cpu1(row), true),
            ratio(hf, file(row), false),
        );
    }
    let _ = writeln!(
        s,
        "Times in ns. Formatters: {}.",
        r.rows
            .iter()
            .map(|row| format!("{} {}", row.info.name, row.info.format))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let _ = writeln!(s, "hw 1T/2T/cpu/fil = how many times better hwlog is than that row (other ns / hwlog ns; hwlog rec/s / other rec/s); >1 = hwlog better.");
    let _ = writeln!(s, "B/rec = bytes per record in the file: hwlog's JSON also carries thread, thread_id and pid.");
    for row in &r.rows {
        for (what, res) in [
            ("caller 1T", &row.caller1),
            ("caller 2T", &row.caller2),
            ("file", &row.file),
        ] {
            if let Err(e) = res {
                let _ = writeln!(s, "FAILED {} {what}: {e}", row.info.name);
            }
        }
    }
    let _ = writeln!(s);
    match &r.sqlite {
        Ok(v) => {
            let b = v["batched"].as_f64().unwrap_or(0.0);
            let pr = v["per_row"].as_f64().unwrap_or(0.0);
            let _ = writeln!(
                s,
                "SQLite, {}: batched {} rows/s ({} rows, {} per transaction) vs per-row autocommit {} rows/s ({} rows): {:.1}x",
                v["backend"].as_str().unwrap_or("?"),
                thousands(b),
                thousands(p.sqlite_batched as f64),
                thousands(crate::sqlite::BATCH as f64),
                thousands(pr),
                thousands(p.sqlite_per_row as f64),
                if pr > 0.0 { b / pr } else { 0.0 }
            );
            let raw = &v["raw_rusqlite"];
            let _ = writeln!(
                s,
                "  reference, {}: batched {} rows/s, per-row {} rows/s",
                raw["note"].as_str().unwrap_or("plain rusqlite"),
                thousands(raw["batched"].as_f64().unwrap_or(0.0)),
                thousands(raw["per_row"].as_f64().unwrap_or(0.0)),
            );
        }
        Err(e) => {
            let _ = writeln!(s, "SQLite FAILED: {e}");
        }
    }
    match &r.zstd {
        Ok(v) => {
            let _ = writeln!(
                s,
                "zstd level {}: {} loghub files, {} -> {} bytes: saved {:.1}% ({:.0} MB/s)",
                crate::compress::LEVEL,
                v["files"],
                thousands(v["original_bytes"].as_f64().unwrap_or(0.0)),
                thousands(v["compressed_bytes"].as_f64().unwrap_or(0.0)),
                v["saved"].as_f64().unwrap_or(0.0) * 100.0,
                v["mb_per_s"].as_f64().unwrap_or(0.0)
            );
        }
        Err(e) => {
            let _ = writeln!(
                s,
                "zstd: NOTE: no loghub data ({e}); zstd_saved is null. Pass --loghub DIR."
            );
        }
    }
    s
}

/// One JSON object: the required keys first, then details.
pub fn json(r: &Results<'_>) -> Value {
    let mut names: Vec<&str> = contenders::REQUIRED.to_vec();
    for row in &r.rows {
        if !names.contains(&row.info.name) {
            names.push(row.info.name);
        }
    }
    let pick = |f: fn(&Row<'_>) -> Option<f64>| -> Map<String, Value> {
        names
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    r.row(n).and_then(f).map_or(Value::Null, Value::from),
                )
            })
            .collect()
    };
    let details: Map<String, Value> = r
        .rows
        .iter()
        .map(|row| {
            let v = |x: &Result<Value, String>| x.clone().unwrap_or_else(|e| json!({ "error": e }));
            let d = json!({
                "formatter": row.info.format,
                "writer": row.info.design,
                "caller_1t": v(&row.caller1),
                "caller_2t": v(&row.caller2),
                "file": v(&row.file),
            });
            (row.info.name.to_string(), d)
        })
        .collect();
    let pick_paced = names
        .iter()
        .map(|n| {
            let v = r
                .row(n)
                .and_then(|row| row.caller1.as_ref().ok()?.get("paced").cloned());
            (n.to_string(), v.unwrap_or(Value::Null))
        })
        .collect::<Map<String, Value>>();
    json!({
        "caller_ns": pick(caller1),
        "caller_mean_ns": pick(mean1),
        "caller_ns_2threads": pick(caller2),
        "cpu_ns_per_record": pick(cpu1),
        "paced_ns": pick_paced,
        "rounds": r.rows.first().map_or(1, |row| row.rounds),
        "file_records_per_s": pick(file),
        "sqlite_rows_per_s": {
            "batched": num(&r.sqlite, "batched"),
            "per_row": num(&r.sqlite, "per_row"),
        },
        "zstd_saved": num(&r.zstd, "saved"),
        "quick": r.params.quick,
        "params": {
            "bursts": r.params.bursts,
            "burst": r.params.burst,
            "file_records": r.params.file_records,
            "sqlite_batched_rows": r.params.sqlite_batched,
            "sqlite_per_row_rows": r.params.sqlite_per_row,
        },
        "sqlite": r.sqlite.clone().unwrap_or_else(|e| json!({ "error": e })),
        "zstd": r.zstd.clone().unwrap_or_else(|e| json!({ "error": e, "loghub": r.loghub.display().to_string() })),
        "details": details,
        "secs": r.secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-1000.0), "-1,000");
    }

    #[test]
    fn ratio_is_above_one_when_hwlog_is_better() {
        assert_eq!(ratio(Some(100.0), Some(250.0), true), "2.50x");
        assert_eq!(ratio(Some(2e6), Some(1e6), false), "2.00x");
        assert_eq!(ratio(None, Some(1.0), true), "-");
    }
}
