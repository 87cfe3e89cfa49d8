//! `hwlog-bench store`: bytes on disk, ingest and query latencies of `hwlog serve`'s store on
//! realistic records (see [`crate::storegen`]).
//!
//! Steps, all in one run: generate `records` records into an NDJSON file; compress that file
//! with zstd -3 (and -19 with `--zstd19`) for reference; start the `hwlog` binary (`hwlog
//! serve --no-auth`, built beside this one) on a fresh data dir; post the NDJSON in batches
//! from two client threads (each batch acknowledged after its commit); checkpoint; sum the
//! sizes of every file in the data dir; then time each query over HTTP, first with a cold
//! page cache (`/proc/sys/vm/drop_caches`, when writable) and then warm (p50 and max of
//! `repeat` runs). The server's peak RSS (`VmHWM`) is read at the end.
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::storegen::{Generator, NEEDLE};

/// What to run.
pub struct StoreArgs {
    /// Records to generate.
    pub records: usize,
    /// The LogHub-2k directory.
    pub loghub: PathBuf,
    /// Records per request.
    pub batch: usize,
    /// Also compress with zstd -19.
    pub zstd19: bool,
    /// Warm runs per query.
    pub repeat: usize,
    /// Keep the data dir here instead of a temp dir (must not exist).
    pub keep: Option<PathBuf>,
    /// The `hwlog` binary.
    pub hwlog: PathBuf,
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(hwlog: &Path, data: &Path) -> Result<Server, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(hwlog)
        .args(["serve", "--no-auth", "--listen", &addr, "--data-dir"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!(
                "{}: {e} (build it: cargo build --release -p hwlog-cli)",
                hwlog.display()
            )
        })?;
    let server = Server { child, addr };
    let agent = agent();
    for _ in 0..300 {
        if let Ok(r) = agent.get(format!("http://{}/healthz", server.addr)).call() {
            if r.status() == 200 {
                return Ok(server);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("hwlog serve did not answer /healthz within 15 s".into())
}

/// Stops the server with SIGTERM and waits for it (SIGKILL after 60 s).
fn stop(mut s: Server) -> Result<(), String> {
    // SAFETY: kill() on our own child's pid.
    unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) };
    for _ in 0..600 {
        if s.child.try_wait().map_err(|e| e.to_string())?.is_some() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("hwlog serve did not stop within 60 s of SIGTERM".into())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into()
}

/// Sum of the sizes of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

fn zstd_size(path: &Path, level: i32) -> Result<u64, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut counter = Counter(0);
    let mut enc = zstd::stream::Encoder::new(&mut counter, level).map_err(|e| e.to_string())?;
    let _ = enc.multithread(2);
    std::io::copy(&mut BufReader::new(f), &mut enc).map_err(|e| e.to_string())?;
    enc.finish().map_err(|e| e.to_string())?;
    Ok(counter.0)
}

struct Counter(u64);
impl Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn drop_caches() -> bool {
    // SAFETY: sync() has no preconditions.
    unsafe { libc::sync() };
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Checks a query's answer: an error text when it is wrong.
type Check = Box<dyn Fn(&Value) -> Result<(), String>>;

/// One query: its path and a check of the answer (an error text when it is wrong).
struct Probe {
    name: &'static str,
    path: String,
    check: Check,
}

fn time_query(agent: &ureq::Agent, addr: &str, p: &Probe) -> Result<f64, String> {
    let t = Instant::now();
    let mut r = agent
        .get(format!("http://{addr}{}", p.path))
        .call()
        .map_err(|e| e.to_string())?;
    let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}: {text:.200}", p.name))?;
    (p.check)(&v).map_err(|e| format!("{}: {e}", p.name))?;
    Ok(ms)
}

/// Runs the benchmark.
pub fn run(a: &StoreArgs) -> Result<Value, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = match &a.keep {
        Some(d) => d.clone(),
        None => tmp.path().join("data"),
    };
    let ndjson = tmp.path().join("records.ndjson");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_nanos() as i64;
    let day = 86_400_000_000_000i64;
    // The 24 hours before the last minute (every record is inside the default retention).
    let mut gen = Generator::new(&a.loghub, a.records, now - 60_000_000_000, day)?;
    let needles = gen.needles();
    let sets: Vec<String> = gen.sets().iter().map(|s| s.to_string()).collect();
    let t = Instant::now();
    {
        let mut out =
            std::io::BufWriter::new(std::fs::File::create(&ndjson).map_err(|e| e.to_string())?);
        let mut line = Vec::with_capacity(512);
        for r in &mut gen {
            line.clear();
            r.write_ndjson(&mut line);
            out.write_all(&line).map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    let gen_s = t.elapsed().as_secs_f64();
    let probe = gen.correlation_probe().unwrap_or("none").to_string();
    let raw = std::fs::metadata(&ndjson).map_err(|e| e.to_string())?.len();
    eprintln!(
        "store: {} records, {raw} bytes of NDJSON in {gen_s:.1} s",
        a.records
    );
    let z3 = zstd_size(&ndjson, 3)?;
    let z19 = if a.zstd19 {
        Some(zstd_size(&ndjson, 19)?)
    } else {
        None
    };
    eprintln!("store: zstd -3 {z3} bytes, -19 {z19:?}");

    let server = start(&a.hwlog, &data)?;
    let addr = server.addr.clone();
    let t = Instant::now();
    let acked = ingest(&ndjson, &addr, a.batch)?;
    let ingest_s = t.elapsed().as_secs_f64();
    if acked != a.records as u64 {
        return Err(format!("{acked} of {} records acknowledged", a.records));
    }
    eprintln!("store: ingested in {ingest_s:.1} s");
    let ingest_rss = peak_rss_kib(server.child.id());
    // Stopped (SIGTERM, as an operator would) so that nothing holds the files while their
    // write-ahead log is checkpointed; then started again for the queries.
    stop(server)?;
    checkpoint(&data);
    let bytes = dir_bytes(&data);
    let server = start(&a.hwlog, &data)?;
    let addr = server.addr.clone();

    let n = a.records as u64;
    let probes = vec![
        Probe {
            name: "needle",
            path: format!("/api/v1/logs?q={NEEDLE}&limit=100"),
            check: Box::new(move |v| {
                let got = v["records"].as_array().map_or(0, |r| r.len());
                if got == needles.min(100) {
                    Ok(())
                } else {
                    Err(format!("{got} records, {needles} carry the needle"))
                }
            }),
        },
        Probe {
            name: "correlation",
            path: format!("/api/v1/correlation/{probe}"),
            check: Box::new(|v| {
                let recs = v["records"].as_array().map_or(0, |r| r.len());
                if recs > 0 {
                    Ok(())
                } else {
                    Err("no record".into())
                }
            }),
        },
        Probe {
            name: "volume_24h_by_minute",
            path: "/api/v1/stats/volume?since=-25h&bucket=60".into(),
            check: Box::new(move |v| {
                let total: u64 = v["buckets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|b| b["counts"].as_object().into_iter().flatten())
                    .filter_map(|(_, c)| c.as_u64())
                    .sum();
                if total == n {
                    Ok(())
                } else {
                    Err(format!("counted {total} of {n} records"))
                }
            }),
        },
        Probe {
            name: "field_host",
            path: "/api/v1/logs?field.host=node-07&limit=100".into(),
            check: Box::new(|v| {
                let recs = v["records"].as_array().ok_or("no records")?;
                let ok = recs.len() == 100
                    && recs
                        .iter()
                        .all(|r| r["fields"]["host"].as_str() == Some("node-07"));
                if ok {
                    Ok(())
                } else {
                    Err(format!("{} records, not all of node-07", recs.len()))
                }
            }),
        },
    ];
    let agent = agent();
    let mut queries = serde_json::Map::new();
    for p in &probes {
        // A wrong answer is reported in place of the figures (the other queries still run).
        let cold = if drop_caches() {
            match time_query(&agent, &addr, p) {
                Ok(ms) => Some(ms),
                Err(e) => {
                    eprintln!("store: {e}");
                    queries.insert(p.name.into(), json!({ "error": e }));
                    continue;
                }
            }
        } else {
            None
        };
        let mut warm = Vec::new();
        for _ in 0..a.repeat.max(1) {
            warm.push(time_query(&agent, &addr, p)?);
        }
        warm.sort_by(f64::total_cmp);
        let p50 = warm[(warm.len() - 1) / 2];
        eprintln!("store: {}: cold {cold:?} ms, warm p50 {p50:.2} ms", p.name);
        queries.insert(
            p.name.into(),
            json!({"cold_ms": cold, "warm_p50_ms": p50, "warm_max_ms": warm[warm.len() - 1]}),
        );
    }
    let rss = peak_rss_kib(server.child.id());
    drop(server);
    Ok(json!({
        "records": a.records,
        "sets": sets,
        "ndjson_bytes": raw,
        "zstd3_bytes": z3,
        "zstd19_bytes": z19,
        "data_dir_bytes": bytes,
        "bytes_per_record": bytes as f64 / n as f64,
        "vs_raw": bytes as f64 / raw as f64,
        "vs_zstd3": bytes as f64 / z3 as f64,
        "vs_zstd19": z19.map(|z| bytes as f64 / z as f64),
        "ingest_records_per_s": n as f64 / ingest_s,
        "queries": queries,
        "server_peak_rss_mib": {
            "ingest": ingest_rss.map(|k| k as f64 / 1024.0),
            "queries": rss.map(|k| k as f64 / 1024.0),
        },
    }))
}

/// Moves a SQLite write-ahead log into its database, so the data dir's size is the data's.
fn checkpoint(data: &Path) {
    if let Ok(rd) = std::fs::read_dir(data) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "db") {
                if let Ok(c) = rusqlite::Connection::open(&p) {
                    let _ = c.busy_timeout(Duration::from_secs(30));
                    let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                }
            }
        }
    }
}

/// Posts the NDJSON file in batches of `batch` lines from two threads; returns the records
/// acknowledged.
fn ingest(ndjson: &Path, addr: &str, batch: usize) -> Result<u64, String> {
    let f = std::fs::File::open(ndjson).map_err(|e| e.to_string())?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<String>(8);
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let rx = rx.clone();
            let url = format!("http://{addr}/api/v1/logs");
            std::thread::spawn(move || -> Result<u64, String> {
                let agent = agent();
                let mut acked = 0;
                loop {
                    let body = match rx.lock().map_err(|_| "poisoned")?.recv() {
                        Ok(b) => b,
                        Err(_) => return Ok(acked),
                    };
                    let mut r = agent
                        .post(&url)
                        .send(body.as_bytes())
                        .map_err(|e| e.to_string())?;
                    let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
                    let v: Value =
                        serde_json::from_str(&text).map_err(|e| format!("{e}: {text:.200}"))?;
                    acked += v["accepted"].as_u64().ok_or(text)?;
                }
            })
        })
        .collect();
    let mut body = String::new();
    let mut lines = 0;
    for line in BufReader::new(f).lines() {
        body.push_str(&line.map_err(|e| e.to_string())?);
        body.push('\n');
        lines += 1;
        if lines == batch {
            tx.send(std::mem::take(&mut body))
                .map_err(|_| "clients stopped")?;
            lines = 0;
        }
    }
    if !body.is_empty() {
        tx.send(body).map_err(|_| "clients stopped")?;
    }
    drop(tx);
    let mut acked = 0;
    for c in clients {
        acked += c.join().map_err(|_| "client panicked")??;
    }
    Ok(acked)
}
