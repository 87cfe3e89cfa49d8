//! Metrics from logs: counters by level and component, error counts, and duration histograms
//! from fields (`duration_ms`, `duration`, `elapsed`) and messages ("took 250ms",
//! "duration: 1.5s"), exposed in the Prometheus text format.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use hwlog_core::{Level, Record, Sink, SinkError};

/// Histogram bucket upper bounds, in seconds.
pub const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// A duration histogram.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    /// Count per bucket of [`BUCKETS`] (not cumulative) plus one for +Inf.
    pub buckets: [u64; BUCKETS.len() + 1],
    /// Sum of observations in seconds.
    pub sum: f64,
    /// Number of observations.
    pub count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        let i = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[i] += 1;
        self.sum += secs;
        self.count += 1;
    }
}

/// What the metrics sink has counted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsSnapshot {
    /// Records per (component, level).
    pub records: BTreeMap<(String, Level), u64>,
    /// Duration histograms per component.
    pub durations: BTreeMap<String, Histogram>,
}

impl MetricsSnapshot {
    /// Records at ERROR or above, per component.
    pub fn errors(&self) -> BTreeMap<&str, u64> {
        let mut m = BTreeMap::new();
        for ((c, l), n) in &self.records {
            if *l >= Level::Error {
                *m.entry(c.as_str()).or_insert(0) += n;
            }
        }
        m
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn to_prometheus(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP hwlog_records_total Log records by component and level.\n");
        s.push_str("# TYPE hwlog_records_total counter\n");
        for ((c, l), n) in &self.records {
            let _ = writeln!(
                s,
                "hwlog_records_total{{component=\"{}\",level=\"{}\"}} {n}",
                label(c),
                l
            );
        }
        s.push_str("# HELP hwlog_errors_total Log records at ERROR or CRITICAL by component.\n");
        s.push_str("# TYPE hwlog_errors_total counter\n");
        for (c, n) in self.errors() {
            let _ = writeln!(s, "hwlog_errors_total{{component=\"{}\"}} {n}", label(c));
        }
        s.push_str("# HELP hwlog_duration_seconds Durations reported in log records.\n");
        s.push_str("# TYPE hwlog_duration_seconds histogram\n");
        for (c, h) in &self.durations {
            let c = label(c);
            let mut cum = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cum += h.buckets[i];
                let _ = writeln!(
                    s,
                    "hwlog_duration_seconds_bucket{{component=\"{c}\",le=\"{b}\"}} {cum}"
                );
            }
            cum += h.buckets[BUCKETS.len()];
            let _ = writeln!(
                s,
                "hwlog_duration_seconds_bucket{{component=\"{c}\",le=\"+Inf\"}} {cum}"
            );
            let _ = writeln!(
                s,
                "hwlog_duration_seconds_sum{{component=\"{c}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                s,
                "hwlog_duration_seconds_count{{component=\"{c}\"}} {}",
                h.count
            );
        }
        s
    }
}

/// Escapes a label value: `\`, `"` and newline.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub use hwlog_core::duration::{duration_of, secs_of};

/// Counts records and durations; see [`MetricsSnapshot::to_prometheus`]. Cheap to clone
/// (clones share the counts), so the same metrics can be served over HTTP while the route
/// writes to it.
///
/// ```
/// use hwlog::sink::metrics::MetricsSink;
/// use hwlog::{Level, Record, Sink};
/// let m = MetricsSink::new();
/// let rec = Record::new(Level::Info, "hardware.discovery", "scan took 250ms");
/// m.write(&rec, b"").unwrap();
/// let text = m.snapshot().to_prometheus();
/// assert!(text.contains("hwlog_records_total{component=\"hardware.discovery\",level=\"INFO\"} 1"));
/// assert!(text.contains("hwlog_duration_seconds_bucket{component=\"hardware.discovery\",le=\"0.25\"} 1"));
/// ```
#[derive(Clone, Default)]
pub struct MetricsSink {
    state: Arc<Mutex<MetricsSnapshot>>,
}

impl MetricsSink {
    /// An empty metrics sink.
    pub fn new() -> Self {
        MetricsSink::default()
    }

    /// A copy of the current counts.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn observe(&self, rec: &Record) {
        let d = duration_of(rec);
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let key = (rec.component.to_string(), rec.level);
        *st.records.entry(key).or_insert(0) += 1;
        if let Some(secs) = d {
            st.durations
                .entry(rec.component.to_string())
                .or_default()
                .observe(secs);
        }
    }
}

impl Sink for MetricsSink {
    fn name(&self) -> String {
        "metrics".into()
    }

    fn write(&self, record: &Record, _line: &[u8]) -> Result<(), SinkError> {
        self.observe(record);
        Ok(())
    }

    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Serves `GET /metrics` (Prometheus text) on a TCP address until dropped.
pub struct MetricsServer {
    addr: std::net::SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MetricsServer {
    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.addr
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(stream: &mut std::net::TcpStream, metrics: &MetricsSink) -> std::io::Result<()> {
    use std::io::{Read, Write};
    stream.set_read_timeout(Some(std::time::Duration::from_secs(2)))?;
    // Read the request head: it may arrive in several segments (a client writing the request
    // line and headers separately); stop at the blank line, 2 KiB or the timeout.
    let mut req = [0u8; 2048];
    let mut n = 0;
    while n < req.len() && !req[..n].windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut req[n..])? {
            0 => break,
            got => n += got,
        }
    }
    let head = String::from_utf8_lossy(&req[..n]);
    let (status, body, ctype) =
        if head.starts_with("GET /metrics ") || head.starts_with("GET /metrics?") {
            (
                "200 OK",
                metrics.snapshot().to_prometheus(),
                "text/plain; version=0.0.4; charset=utf-8",
            )
        } else {
            ("404 Not Found", "not found\n".to_string(), "text/plain")
        };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

impl MetricsSink {
    /// Serves `GET /metrics` on `addr` (e.g. `127.0.0.1:9898`) from a background thread.
    pub fn serve(&self, addr: &str) -> std::io::Result<MetricsServer> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (me, flag) = (self.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("hwlog-metrics".into())
            .spawn(move || {
                crate::internal::mark_internal_thread();
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((mut s, _)) => {
                            let _ = s.set_nonblocking(false);
                            let _ = answer(&mut s, &me);
                        }
                        Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                    }
                }
            })?;
        Ok(MetricsServer {
            addr: local,
            stop,
            thread: Some(thread),
        })
    }

    /// Calls `f` with a snapshot every `interval` from a background thread, until the returned
    /// handle is dropped.
    pub fn every(
        &self,
        interval: std::time::Duration,
        f: impl Fn(&MetricsSnapshot) + Send + 'static,
    ) -> SnapshotTimer {
        let (tx, rx) = crossbeam_channel::bounded::<()>(0);
        let me = self.clone();
        let thread = std::thread::Builder::new()
            .name("hwlog-metrics-snapshot".into())
            .spawn(move || {
                crate::internal::mark_internal_thread();
                while let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
                    rx.recv_timeout(interval)
                {
                    f(&me.snapshot());
                }
            })
            .ok();
        SnapshotTimer { _stop: tx, thread }
    }
}

/// Stops the snapshot callback when dropped.
pub struct SnapshotTimer {
    _stop: crossbeam_channel::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for SnapshotTimer {
    fn drop(&mut self) {
        let (tx, _) = crossbeam_channel::bounded(0);
        // Dropping the sender disconnects the channel and ends the loop.
        drop(std::mem::replace(&mut self._stop, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

static GLOBAL: std::sync::LazyLock<MetricsSink> = std::sync::LazyLock::new(MetricsSink::new);
static SERVER: Mutex<Option<(String, MetricsServer)>> = Mutex::new(None);

/// The process-wide metrics that `type = "metrics"` routes count into; they persist across
/// reconfiguration.
pub fn global() -> &'static MetricsSink {
    &GLOBAL
}

/// Starts (once per address) the `/metrics` endpoint for the process-wide metrics.
pub fn serve_global(addr: &str) -> std::io::Result<std::net::SocketAddr> {
    let mut g = SERVER.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((a, srv)) = g.as_ref() {
        if a == addr {
            return Ok(srv.local_addr());
        }
    }
    let srv = GLOBAL.serve(addr)?;
    let local = srv.local_addr();
    *g = Some((addr.to_string(), srv));
    Ok(local)
}
