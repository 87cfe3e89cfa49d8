//! Non-blocking routes: nothing lost with `block`, exact drop counts otherwise, batched
//! writes, flush on timer / CRITICAL / flush().
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use hwlog::format::{Performance, TimeZone};
use hwlog::nonblocking::{NonBlockingOptions, Overflow};
use hwlog::pipeline::Route;
use hwlog::{get_logger, testing, Batch, Level, Record, Sink, SinkError};

/// A sink whose writes wait until the test opens the gate; it records lines, batches, flushes.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
    entered: AtomicBool,
    lines: Mutex<Vec<String>>,
    batches: AtomicUsize,
    flushes: AtomicUsize,
}

struct GatedSink(Arc<Gate>);

impl Sink for GatedSink {
    fn name(&self) -> String {
        "gated".into()
    }
    fn write(&self, _: &Record, line: &[u8]) -> Result<(), SinkError> {
        self.0
            .lines
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(line).into_owned());
        Ok(())
    }
    fn write_batch(&self, batch: &Batch) -> Result<(), SinkError> {
        self.0.entered.store(true, Ordering::SeqCst);
        let mut open = self.0.open.lock().unwrap();
        while !*open {
            open = self.0.cv.wait(open).unwrap();
        }
        drop(open);
        self.0.batches.fetch_add(1, Ordering::SeqCst);
        let mut lines = self.0.lines.lock().unwrap();
        for (_, l) in batch.iter() {
            lines.push(String::from_utf8_lossy(l).into_owned());
        }
        Ok(())
    }
    fn flush(&self) -> Result<(), SinkError> {
        self.0.flushes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

impl Gate {
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
    fn wait_entered(&self) {
        let t = Instant::now();
        while !self.entered.load(Ordering::SeqCst) {
            assert!(t.elapsed() < Duration::from_secs(10), "worker never wrote");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

fn route(gate: &Arc<Gate>, opts: NonBlockingOptions) -> Route {
    Route::new(
        "t",
        Level::Trace,
        Vec::new(),
        Box::new(Performance::new(TimeZone::Utc)),
        Arc::new(GatedSink(gate.clone())),
    )
    .non_blocking(opts)
}

fn rec(i: usize) -> Record {
    Record::new(Level::Info, "nb", format!("record {i}"))
}

fn drop_case(overflow: Overflow) -> (Vec<String>, u64) {
    let gate = Arc::new(Gate::default());
    let opts = NonBlockingOptions {
        capacity: 10,
        overflow,
        batch: 1,
        flush_interval: Duration::from_secs(3600),
    };
    let r = route(&gate, opts);
    // Record 0 is taken by the worker, which then blocks inside the sink.
    r.process(rec(0));
    gate.wait_entered();
    // 100 more: 10 fit in the queue, 90 are dropped (newest or oldest).
    for i in 1..=100 {
        r.process(rec(i));
    }
    let dropped = r.status().counters.dropped;
    gate.release();
    r.flush().unwrap();
    let lines = gate.lines.lock().unwrap().clone();
    (lines, dropped)
}

#[test]
fn drop_newest_counts_exactly_and_keeps_the_oldest() {
    let (lines, dropped) = drop_case(Overflow::DropNewest);
    assert_eq!(dropped, 90);
    let records: Vec<_> = lines.iter().filter(|l| l.contains("record ")).collect();
    assert_eq!(records.len(), 11);
    assert!(records[10].ends_with("record 10\n"), "{records:?}");
    assert!(
        lines.iter().any(|l| l.contains("hwlog 90 records dropped")),
        "{lines:?}"
    );
}

#[test]
fn drop_oldest_counts_exactly_and_keeps_the_newest() {
    let (lines, dropped) = drop_case(Overflow::DropOldest);
    assert_eq!(dropped, 90);
    let records: Vec<_> = lines.iter().filter(|l| l.contains("record ")).collect();
    assert_eq!(records.len(), 11);
    assert!(records[0].ends_with("record 0\n"));
    assert!(records[1].ends_with("record 91\n"), "{records:?}");
    assert!(records[10].ends_with("record 100\n"));
    assert!(lines.iter().any(|l| l.contains("90 records dropped")));
}

#[test]
fn block_loses_nothing_and_writes_in_batches() {
    let gate = Arc::new(Gate::default());
    let opts = NonBlockingOptions {
        capacity: 20_000,
        overflow: Overflow::Block,
        batch: 1024,
        flush_interval: Duration::from_secs(3600),
    };
    let r = route(&gate, opts);
    r.process(rec(0));
    gate.wait_entered();
    for i in 1..=10_000 {
        r.process(rec(i));
    }
    gate.release();
    r.flush().unwrap();
    let lines = gate.lines.lock().unwrap();
    assert_eq!(lines.len(), 10_001);
    for (i, l) in lines.iter().enumerate() {
        assert!(l.ends_with(&format!(" record {i}\n")), "{i}: {l}");
    }
    // 1 + ceil(10000 / 1024) = 11 write calls for 10,001 records.
    assert_eq!(gate.batches.load(Ordering::SeqCst), 11);
    assert_eq!(r.status().counters.emitted, 10_001);
    assert_eq!(r.status().counters.dropped, 0);
}

#[test]
fn block_applies_backpressure_with_a_tiny_queue() {
    let gate = Arc::new(Gate::default());
    gate.release();
    let opts = NonBlockingOptions {
        capacity: 2,
        overflow: Overflow::Block,
        batch: 4,
        flush_interval: Duration::from_secs(3600),
    };
    let r = Arc::new(route(&gate, opts));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let r = r.clone();
            std::thread::spawn(move || {
                for i in 0..5_000 {
                    r.process(rec(t * 10_000 + i));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    r.flush().unwrap();
    assert_eq!(gate.lines.lock().unwrap().len(), 20_000);
    assert_eq!(r.status().counters.dropped, 0);
}

fn wait_for(what: &str, f: impl Fn() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn flush_interval_timer_flushes_without_a_next_record() {
    let gate = Arc::new(Gate::default());
    gate.release();
    let opts = NonBlockingOptions {
        flush_interval: Duration::from_millis(50),
        ..Default::default()
    };
    let r = route(&gate, opts);
    r.process(rec(1));
    wait_for("the timer flush", || {
        gate.flushes.load(Ordering::SeqCst) >= 1
    });
    assert_eq!(gate.lines.lock().unwrap().len(), 1);
}

#[test]
fn critical_flushes_at_once() {
    let gate = Arc::new(Gate::default());
    gate.release();
    let opts = NonBlockingOptions {
        flush_interval: Duration::from_secs(3600),
        ..Default::default()
    };
    let r = route(&gate, opts);
    r.process(rec(1));
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        gate.flushes.load(Ordering::SeqCst),
        0,
        "no flush before the interval"
    );
    r.process(Record::new(Level::Critical, "nb", "bmc unreachable"));
    wait_for("the CRITICAL flush", || {
        gate.flushes.load(Ordering::SeqCst) >= 1
    });
}

#[test]
fn four_threads_one_million_records_nothing_lost_when_the_guard_drops() {
    let _serial = testing::lock();
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("nb.toml");
    std::fs::write(
        &cfg,
        r#"
[profiles.nb]
level = "INFO"
features = {}
[[profiles.nb.routes]]
name = "null"
sink = { type = "null" }
format = "json"
buffer = { capacity = 4096, overflow = "block", batch = 512 }
"#,
    )
    .unwrap();
    let guard = hwlog::Builder::new()
        .config_file(&cfg)
        .profile("nb")
        .init()
        .unwrap();
    let before = hwlog::logging_status().routes[0].counters;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let log = get_logger("flood");
                for i in 0..250_000u64 {
                    log.at(Level::Info).field("t", t).field("i", i).log("flood");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(guard);
    let st = hwlog::logging_status();
    let c = st.routes[0].counters;
    assert_eq!(c.emitted - before.emitted, 1_000_000);
    assert_eq!(c.dropped, 0);
    assert!(st.routes[0].non_blocking.is_some());
    hwlog::reconfigure_logging("testing").unwrap();
}

/// The kernel's scheduling policy of this process's thread named `name` (Linux).
#[cfg(target_os = "linux")]
fn thread_policy(name: &str) -> Option<u32> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() != name {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        // Field 41 (policy); fields after the command name start at field 3.
        let after = &stat[stat.rfind(')')? + 1..];
        return after.split_whitespace().nth(38)?.parse().ok();
    }
    None
}

#[cfg(target_os = "linux")]
#[test]
fn worker_idles_and_is_lifted_when_a_caller_would_wait() {
    const SCHED_BATCH: u32 = 3;
    const SCHED_IDLE: u32 = 5;
    let gate = Arc::new(Gate::default());
    let opts = NonBlockingOptions {
        capacity: 10,
        overflow: Overflow::DropNewest,
        batch: 1,
        flush_interval: Duration::from_secs(3600),
    };
    let r = Route::new(
        "prio",
        Level::Trace,
        Vec::new(),
        Box::new(Performance::new(TimeZone::Utc)),
        Arc::new(GatedSink(gate.clone())),
    )
    .non_blocking(opts);
    let state = || r.status().non_blocking.unwrap_or_default();
    wait_for("the worker thread", || {
        thread_policy("hwlog-prio").is_some()
    });
    if state().contains("worker=batch") {
        // No CAP_SYS_NICE and RLIMIT_NICE < 20: the worker could not come back from
        // SCHED_IDLE, so it never goes there.
        println!("worker runs under SCHED_BATCH throughout (cannot leave SCHED_IDLE here)");
        assert_eq!(thread_policy("hwlog-prio"), Some(SCHED_BATCH));
        gate.release();
        return;
    }
    assert!(state().contains("worker=idle boosts=0"), "{}", state());
    assert_eq!(thread_policy("hwlog-prio"), Some(SCHED_IDLE));
    // The worker takes record 0 and blocks in the sink; the queue fills; the next record
    // finds it full and lifts the worker.
    r.process(rec(0));
    gate.wait_entered();
    for i in 1..=20 {
        r.process(rec(i));
    }
    assert!(state().contains("worker=boosted boosts=1"), "{}", state());
    assert_eq!(thread_policy("hwlog-prio"), Some(SCHED_BATCH));
    // Once the queue is empty the worker goes back to idle priority.
    gate.release();
    r.flush().unwrap();
    wait_for("the worker to settle", || state().contains("worker=idle"));
    assert_eq!(thread_policy("hwlog-prio"), Some(SCHED_IDLE));
    // A CRITICAL record lifts it too (it is written and flushed at once).
    r.process(Record::new(Level::Critical, "nb", "bmc unreachable"));
    wait_for("the CRITICAL record", || {
        gate.lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("bmc unreachable"))
    });
    wait_for("the second lift and settle", || {
        state().contains("worker=idle boosts=2")
    });
    // Records 0–10, the notice of the 10 dropped, the CRITICAL record.
    let lines = gate.lines.lock().unwrap().clone();
    assert_eq!(lines.len(), 13, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("10 records dropped")),
        "{lines:?}"
    );
}
