//! `hwlog-bench compare`: hwlog against tracing, ftlog, spdlog-rs and log4rs.
//!
//! Every logger is process-global, so `compare` runs each contender and workload in a child
//! process (this binary's hidden `one` subcommand, which prints one JSON line) and collects
//! the results into one table (and, with `--json`, one JSON object on the last line).
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::Value;

mod alerts;
mod compress;
mod contenders;
mod ingest;
mod output;
mod report;
mod rotation;
mod scaling;
mod serverbench;
mod spike;
mod sqlite;
mod storebench;
mod storegen;
mod syslogbench;
mod workload;

#[derive(Parser)]
#[command(name = "hwlog-bench", about = "Compares hwlog with other Rust loggers")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs every contender (each in its own process) and prints one comparison table.
    Compare(CompareArgs),
    /// Runs one contender and workload in this process and prints one JSON line.
    #[command(hide = true)]
    One(OneArgs),
    /// The caller's latency while the rotating file route rotates and compresses (prints one
    /// JSON line).
    RotationLatency {
        /// Records.
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
    },
    /// Records per second into `hwlog serve` over HTTP NDJSON, acknowledged after commit
    /// (prints one JSON line).
    Ingest {
        /// Records in all.
        #[arg(long, default_value_t = 200_000)]
        records: usize,
        /// Records per request.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Client threads.
        #[arg(long, default_value_t = 2)]
        clients: usize,
    },
    /// Records per second into `hwlog serve` on SQLite, on PostgreSQL with one server and
    /// with two servers sharing it, in one run (starts PostgreSQL in a temp dir; prints one
    /// JSON line).
    Scaling {
        /// Records per run.
        #[arg(long, default_value_t = 200_000)]
        records: usize,
        /// Client threads.
        #[arg(long, default_value_t = 4)]
        clients: usize,
    },
    /// Full-text queries over stored records (prints one JSON line).
    Query {
        /// Records stored first.
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// Queries timed.
        #[arg(long, default_value_t = 200)]
        queries: usize,
    },
    /// syslog over TCP into hwlog serve and into rsyslog (prints one JSON line).
    Syslog {
        /// Records.
        #[arg(long, default_value_t = 200_000)]
        records: usize,
    },
    /// Latency from ingest to live WebSocket clients (prints one JSON line).
    Live {
        /// Clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Records per second posted.
        #[arg(long, default_value_t = 10_000)]
        rate: usize,
        /// Seconds.
        #[arg(long, default_value_t = 10)]
        secs: u64,
    },
    /// Bytes on disk, ingest rate and query latencies of `hwlog serve`'s store on realistic
    /// records generated from the LogHub-2k sets (prints one JSON line; needs the `hwlog`
    /// binary: `cargo build --release -p hwlog-cli -p hwlog-bench`).
    Store {
        /// Records to generate.
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// The LogHub-2k directory (default: `shared/data/loghub-2k` beside the repository).
        #[arg(long, value_name = "DIR")]
        loghub: Option<PathBuf>,
        /// Records per request.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Also compress the NDJSON with zstd -19 (slow).
        #[arg(long)]
        zstd19: bool,
        /// Warm runs of each query.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// Keep the data dir at this path (must not exist).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// The `hwlog` binary (default: beside this one).
        #[arg(long, value_name = "FILE")]
        hwlog: Option<PathBuf>,
    },
    /// Two block designs for the store (rows vs columns), measured on the records of a data
    /// dir kept by `store --keep DIR` (prints one JSON line).
    StoreSpike {
        /// The row store's database (`DIR/logs.db`).
        #[arg(long)]
        db: PathBuf,
        /// Records per block.
        #[arg(long, default_value_t = 8192)]
        block: usize,
        /// zstd level.
        #[arg(long, default_value_t = 3)]
        level: i32,
    },
    /// Time from a logging call to the alert notification (prints one JSON line).
    AlertLatency {
        /// Records (each a new alert).
        #[arg(long, default_value_t = 1000)]
        records: usize,
    },
}

#[derive(Args)]
struct CompareArgs {
    /// Smaller run: one round, 30 bursts × 2,000 records per thread, 200k records to file
    /// (a full run: three interleaved rounds, 100 bursts × 5,000, 1M records).
    #[arg(long)]
    quick: bool,
    /// Also print the results as one JSON object on the last line.
    #[arg(long)]
    json: bool,
    /// Directory with the loghub samples (`*/*_2k.log`) for the zstd figure.
    #[arg(long, value_name = "DIR")]
    loghub: Option<PathBuf>,
    /// Run only these contenders (comma-separated; the JSON keeps the required keys, as null).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    only: Option<Vec<String>>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    Caller,
    File,
}

#[derive(Args)]
struct OneArgs {
    #[arg(long)]
    contender: String,
    #[arg(long, value_enum)]
    workload: Workload,
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Output directory (must exist and be empty).
    #[arg(long)]
    dir: PathBuf,
    /// Records for the file workload.
    #[arg(long, default_value_t = 200_000)]
    records: u64,
    /// Timed bursts per thread for the caller workload.
    #[arg(long, default_value_t = 30)]
    bursts: usize,
    /// Records per burst.
    #[arg(long, default_value_t = 2_000)]
    burst: usize,
}

/// Sizes of one run.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// `--quick` was given.
    pub quick: bool,
    /// Timed bursts per thread.
    pub bursts: usize,
    /// Records per burst.
    pub burst: usize,
    /// Records in the file workload.
    pub file_records: u64,
    /// Rows in the batched SQLite run.
    pub sqlite_batched: usize,
    /// Rows in the per-row SQLite run.
    pub sqlite_per_row: usize,
}

impl Params {
    fn new(quick: bool) -> Params {
        Params {
            quick,
            bursts: if quick { 30 } else { 100 },
            burst: if quick { 2_000 } else { 5_000 },
            file_records: if quick { 200_000 } else { 1_000_000 },
            sqlite_batched: 100_000,
            sqlite_per_row: 2_000,
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().cmd {
        Cmd::One(a) => one(a),
        Cmd::Compare(a) => compare(a),
        Cmd::RotationLatency { records } => {
            let dir = match tempfile::tempdir() {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("temp dir: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match rotation::run(dir.path(), records.max(1)) {
                Ok(v) => {
                    println!("{v}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("rotation-latency: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Scaling { records, clients } => print_result(scaling::run(records.max(1), clients)),
        Cmd::Ingest {
            records,
            batch,
            clients,
        } => match ingest::run(records.max(1), batch.max(1), clients) {
            Ok(v) => {
                println!("{v}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ingest: {e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Query { records, queries } => {
            print_result(serverbench::query(records.max(1), queries.max(1)))
        }
        Cmd::Syslog { records } => print_result(syslogbench::run(records.max(1))),
        Cmd::Live {
            clients,
            rate,
            secs,
        } => print_result(serverbench::live(clients.max(1), rate, secs.max(1))),
        Cmd::Store {
            records,
            loghub,
            batch,
            zstd19,
            repeat,
            keep,
            hwlog,
        } => {
            let exe_dir = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or_default();
            print_result(storebench::run(&storebench::StoreArgs {
                records: records.max(1),
                loghub: compress::locate(loghub.as_deref()),
                batch: batch.max(1),
                zstd19,
                repeat,
                keep,
                hwlog: hwlog.unwrap_or_else(|| exe_dir.join("hwlog")),
            }))
        }
        Cmd::StoreSpike { db, block, level } => print_result(spike::run(
            &db,
            block.max(1),
            level,
            storegen::NEEDLE,
            "node-07",
        )),
        Cmd::AlertLatency { records } => {
            let v = alerts::run(records.max(1));
            println!("{v}");
            if v.get("error").is_some() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn one(a: OneArgs) -> ExitCode {
    let result = contenders::setup(&a.contender, &a.dir).and_then(|c| match a.workload {
        Workload::Caller => workload::caller(
            c,
            &a.dir,
            workload::CallerParams {
                threads: a.threads.max(1),
                bursts: a.bursts,
                burst: a.burst,
            },
        ),
        Workload::File => workload::file(c, &a.dir, a.records),
    });
    match result {
        Ok(mut v) => {
            v["contender"] = a.contender.into();
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hwlog-bench one --contender {}: {e}", a.contender);
            ExitCode::from(2)
        }
    }
}

/// Runs `one` in a child process; the last stdout line is its JSON result.
fn run_child(
    exe: &Path,
    name: &str,
    w: &str,
    threads: usize,
    dir: &Path,
    p: &Params,
) -> Result<Value, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = Command::new(exe)
        .args(["one", "--contender", name, "--workload", w])
        .args(["--threads", &threads.to_string()])
        .arg("--dir")
        .arg(dir)
        .args(["--records", &p.file_records.to_string()])
        .args(["--bursts", &p.bursts.to_string()])
        .args(["--burst", &p.burst.to_string()])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let _ = std::fs::remove_dir_all(dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("child failed ({})", out.status));
    }
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(last).map_err(|e| format!("no JSON result from child: {e}"))
}

fn compare(a: CompareArgs) -> ExitCode {
    let started = Instant::now();
    let p = Params::new(a.quick);
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("hwlog-bench: cannot find own executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let root = match tempfile::Builder::new().prefix("hwlog-bench-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("hwlog-bench: cannot create a temp dir: {e}");
            return ExitCode::FAILURE;
        }
    };
    let selected: Vec<_> = contenders::all()
        .into_iter()
        .filter(|c| {
            a.only
                .as_ref()
                .is_none_or(|o| o.iter().any(|n| n == c.name))
        })
        .collect();
    let runs = [("caller", 1), ("caller", 2), ("file", 1)];
    // Contenders are interleaved: each round runs every contender once (starting one further
    // along each round), so a slow spell of the machine hits them alike; each figure is the
    // run with the median result over the rounds.
    let rounds = if p.quick { 1 } else { ROUNDS };
    let mut all: Vec<Vec<Vec<Result<Value, String>>>> = selected
        .iter()
        .map(|_| runs.iter().map(|_| Vec::new()).collect())
        .collect();
    for round in 0..rounds {
        for k in 0..selected.len() {
            let ci = (k + round) % selected.len();
            let c = &selected[ci];
            for (ri, (w, t)) in runs.iter().enumerate() {
                let dir = root.path().join(format!("{}-{w}-{t}-{round}", c.name));
                let t0 = Instant::now();
                let r = run_child(&exe, c.name, w, *t, &dir, &p);
                match &r {
                    Ok(v) => eprintln!(
                        "[{:>6.1}s] round {} {} {w} {t}T: {v} ({:.1}s)",
                        started.elapsed().as_secs_f64(),
                        round + 1,
                        c.name,
                        t0.elapsed().as_secs_f64()
                    ),
                    Err(e) => eprintln!(
                        "[{:>6.1}s] round {} {} {w} {t}T FAILED: {e}",
                        started.elapsed().as_secs_f64(),
                        round + 1,
                        c.name
                    ),
                }
                all[ci][ri].push(r);
            }
        }
    }
    let mut rows = Vec::new();
    for (c, results) in selected.iter().zip(all) {
        let mut it = results.into_iter().zip(runs);
        let mut next = || {
            let (rs, (w, _)) = it.next().expect("one result list per run");
            median_run(
                rs,
                if w == "file" {
                    "records_per_s"
                } else {
                    "median_ns"
                },
            )
        };
        rows.push(report::Row {
            info: c,
            caller1: next(),
            caller2: next(),
            file: next(),
            rounds,
        });
    }
    let sqlite_dir = root.path().join("sqlite");
    let sqlite = std::fs::create_dir_all(&sqlite_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| sqlite::run(&sqlite_dir, p.sqlite_batched, p.sqlite_per_row));
    eprintln!(
        "[{:>6.1}s] sqlite: {sqlite:?}",
        started.elapsed().as_secs_f64()
    );
    let loghub = compress::locate(a.loghub.as_deref());
    let zstd = compress::run(&loghub);
    let results = report::Results {
        params: p,
        rows,
        sqlite,
        zstd,
        loghub,
        secs: started.elapsed().as_secs_f64(),
    };
    print!("{}", report::table(&results));
    if a.json {
        println!("{}", report::json(&results));
    }
    if results.failed() {
        eprintln!("hwlog-bench: some runs FAILED (see above)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Rounds of a full `compare` (each figure is the median round).
const ROUNDS: usize = 3;

/// The run whose `key` is the median of the rounds (the first failure, if any failed).
fn median_run(runs: Vec<Result<Value, String>>, key: &str) -> Result<Value, String> {
    let mut ok = Vec::with_capacity(runs.len());
    for r in runs {
        ok.push(r?);
    }
    ok.sort_by(|a, b| {
        let x = |v: &Value| v[key].as_f64().unwrap_or(f64::NAN);
        x(a).total_cmp(&x(b))
    });
    let n = ok.len();
    ok.into_iter()
        .nth(n / 2)
        .ok_or_else(|| "no runs".to_string())
}

/// Prints a bench result as one JSON line, or the error.
fn print_result(r: Result<Value, String>) -> ExitCode {
    match r {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
