//! Non-blocking routes: the logging thread enqueues; a worker thread filters, formats and
//! writes in batches.
//!
//! Memory is bounded by the queue capacity. When the queue is full the route's [`Overflow`]
//! policy decides: `Block` (backpressure, nothing lost; the default for files and databases),
//! `DropNewest` or `DropOldest`, which count every dropped record exactly; the count shows in
//! `logging_status()` and the worker writes a WARNING record "N records dropped" to the route.
//! The worker writes a batch with one sink call, flushes on a timer (`flush_interval`), at
//! once after a CRITICAL record, and on `hwlog::flush()`.
//!
//! The logging thread makes no system call for an ordinary record: the worker looks at the
//! queue on its own (every 0.5 ms while records come, backing off to 16 ms when idle) and is
//! woken only when the queue is full or a record is CRITICAL. It runs at idle CPU priority
//! while it keeps up (`crate::sched`); the route's status line shows `worker=idle|boosted|batch`
//! and how often it had to be lifted.
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{
    bounded, unbounded, Receiver, RecvTimeoutError, SendTimeoutError, Sender, TryRecvError,
};
use hwlog_core::{Batch, Level, Record, SinkError, SinkErrorKind};

use crate::route_core::RouteCore;
use crate::sched::WorkerPriority;

/// What a full queue does to a new record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Wait for room (nothing is lost).
    Block,
    /// Drop the new record (counted).
    DropNewest,
    /// Drop the oldest queued record to make room (counted).
    DropOldest,
}

/// Settings of a non-blocking route.
#[derive(Clone, Debug, PartialEq)]
pub struct NonBlockingOptions {
    /// Queue capacity in records.
    pub capacity: usize,
    /// What a full queue does.
    pub overflow: Overflow,
    /// At most this many records per sink write.
    pub batch: usize,
    /// Buffered output is flushed at least this often.
    pub flush_interval: Duration,
}

impl Default for NonBlockingOptions {
    fn default() -> Self {
        NonBlockingOptions {
            capacity: 65_536,
            overflow: Overflow::Block,
            batch: 1024,
            flush_interval: Duration::from_secs(1),
        }
    }
}

enum Ctl {
    Flush(Sender<()>),
    Stop,
    /// Look at the queue now (it is full, or holds a CRITICAL record).
    Wake,
}

/// The worker's first sleep when it finds the queue empty; each further empty look doubles
/// it, up to [`MAX_POLL`].
///
/// Callers never wake the worker for an ordinary record: waking a thread is a system call,
/// and the woken worker lands on the caller's CPU, where it can displace the caller for a
/// scheduler tick (see `crate::sched`). The worker looks at the queue on its own instead, and
/// is woken only when a caller would otherwise wait or a record is CRITICAL.
const MIN_POLL: Duration = Duration::from_micros(500);
/// The longest sleep of an idle worker: an ordinary record reaches the sink at most this
/// late (and is flushed by the flush interval as before).
const MAX_POLL: Duration = Duration::from_millis(16);

/// Workers whose route was retired; joined by `flush()` so nothing is lost on exit.
static RETIRED: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

thread_local! {
    static IS_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is a route worker (which must never wait for a worker).
pub(crate) fn on_worker_thread() -> bool {
    IS_WORKER.try_with(Cell::get).unwrap_or(false)
}

/// Waits (bounded) for retired workers to finish writing.
pub(crate) fn join_retired(limit: Duration) {
    if on_worker_thread() {
        return;
    }
    let handles: Vec<_> = std::mem::take(&mut *RETIRED.lock().unwrap_or_else(|p| p.into_inner()));
    let deadline = Instant::now() + limit;
    let mut left = Vec::new();
    for h in handles {
        while !h.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if h.is_finished() {
            let _ = h.join();
        } else {
            left.push(h);
        }
    }
    RETIRED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend(left);
}

/// The caller's side of a non-blocking route.
pub(crate) struct Worker {
    tx: Sender<Record>,
    rx: Receiver<Record>,
    ctl: Sender<Ctl>,
    dropped: Arc<AtomicU64>,
    stopped: AtomicBool,
    opts: NonBlockingOptions,
    handle: Mutex<Option<JoinHandle<()>>>,
    prio: Arc<WorkerPriority>,
    /// A `Ctl::Wake` is on its way (so that callers send at most one at a time).
    wake_pending: Arc<AtomicBool>,
}

const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

impl Worker {
    pub(crate) fn spawn(core: Arc<RouteCore>, opts: NonBlockingOptions) -> Worker {
        let (tx, rx) = bounded(opts.capacity.max(1));
        let (ctl, ctl_rx) = unbounded();
        let dropped = Arc::new(AtomicU64::new(0));
        let prio = Arc::new(WorkerPriority::default());
        let wake_pending = Arc::new(AtomicBool::new(false));
        let loop_state = WorkerLoop {
            prio: prio.clone(),
            wake_pending: wake_pending.clone(),
            core: core.clone(),
            rx: rx.clone(),
            ctl: ctl_rx,
            dropped: dropped.clone(),
            opts: opts.clone(),
        };
        let handle = std::thread::Builder::new()
            .name(format!("hwlog-{}", core.name))
            .spawn(move || {
                // Idle priority while it keeps up: the worker never takes a CPU from a thread
                // that logs (see `crate::sched`).
                loop_state.prio.start();
                let prio = loop_state.prio.clone();
                loop_state.run();
                prio.end();
            })
            .map_err(|e| eprintln!("hwlog: cannot start worker for route {:?}: {e}", core.name))
            .ok();
        Worker {
            tx,
            rx,
            ctl,
            dropped,
            stopped: AtomicBool::new(handle.is_none()),
            opts,
            handle: Mutex::new(handle),
            prio,
            wake_pending,
        }
    }

    fn drop_one(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// Gets the worker to the queue now, at normal CPU share (a caller would wait otherwise).
    #[cold]
    fn hurry(&self) {
        self.prio.boost();
        if !self.wake_pending.swap(true, Ordering::AcqRel) {
            let _ = self.ctl.send(Ctl::Wake);
        }
    }

    /// Enqueues a record according to the overflow policy. Never blocks forever: a stopped
    /// worker counts the record as dropped.
    #[inline]
    pub(crate) fn enqueue(&self, rec: Record) {
        let critical = rec.level >= Level::Critical;
        match self.opts.overflow {
            Overflow::Block => {
                let mut rec = match self.tx.try_send(rec) {
                    Ok(()) if critical => return self.hurry(),
                    Ok(()) => return,
                    Err(e) => e.into_inner(),
                };
                self.hurry();
                loop {
                    if self.stopped.load(Ordering::Relaxed) {
                        return self.drop_one();
                    }
                    match self.tx.send_timeout(rec, Duration::from_millis(100)) {
                        Ok(()) if critical => return self.hurry(),
                        Ok(()) => return,
                        Err(SendTimeoutError::Timeout(r)) => rec = r,
                        Err(SendTimeoutError::Disconnected(_)) => return self.drop_one(),
                    }
                }
            }
            Overflow::DropNewest => {
                if self.tx.try_send(rec).is_err() {
                    self.hurry();
                    self.drop_one();
                } else if critical {
                    self.hurry();
                }
            }
            Overflow::DropOldest => {
                let mut rec = rec;
                for _ in 0..64 {
                    match self.tx.try_send(rec) {
                        Ok(()) if critical => return self.hurry(),
                        Ok(()) => return,
                        Err(e) if e.is_disconnected() => return self.drop_one(),
                        Err(e) => {
                            self.hurry();
                            rec = e.into_inner();
                            if self.rx.try_recv().is_ok() {
                                self.drop_one();
                            }
                        }
                    }
                }
                self.drop_one();
            }
        }
    }

    /// Records dropped so far.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes everything queued before this call and flushes the sink.
    pub(crate) fn flush(&self) -> Result<(), SinkError> {
        if self.stopped.load(Ordering::Relaxed) || on_worker_thread() {
            return Ok(());
        }
        let (ack, done) = bounded(1);
        self.prio.boost();
        if self.ctl.send(Ctl::Flush(ack)).is_err() {
            return Ok(());
        }
        done.recv_timeout(FLUSH_TIMEOUT).map_err(|_| {
            SinkError::new(
                SinkErrorKind::Other,
                "flush timed out waiting for the route worker",
            )
        })
    }

    /// Asks the worker to write everything, close the sink and exit; `flush()` joins it.
    pub(crate) fn stop(&self) {
        if self.stopped.swap(true, Ordering::Relaxed) {
            return;
        }
        self.prio.boost();
        let _ = self.ctl.send(Ctl::Stop);
        if let Some(h) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take() {
            RETIRED.lock().unwrap_or_else(|p| p.into_inner()).push(h);
        }
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "queue {}/{} overflow={:?} batch={} flush={:?} worker={} boosts={}",
            self.tx.len(),
            self.opts.capacity,
            self.opts.overflow,
            self.opts.batch,
            self.opts.flush_interval,
            self.prio.state(),
            self.prio.boosts()
        )
    }
}

struct WorkerLoop {
    core: Arc<RouteCore>,
    prio: Arc<WorkerPriority>,
    wake_pending: Arc<AtomicBool>,
    rx: Receiver<Record>,
    ctl: Receiver<Ctl>,
    dropped: Arc<AtomicU64>,
    opts: NonBlockingOptions,
}

impl WorkerLoop {
    fn run(self) {
        let _ = IS_WORKER.try_with(|w| w.set(true));
        // Logging from this thread (a sink that logs) must not come back into a queue.
        crate::internal::mark_internal_thread();
        let mut batch = Batch::new();
        let mut reported = 0u64;
        let mut dirty = false;
        let mut last_flush = Instant::now();
        let mut poll = MIN_POLL;
        loop {
            let mut urgent = false;
            let mut ctl = None;
            while batch.len() < self.opts.batch {
                match self.rx.try_recv() {
                    Ok(rec) => urgent |= self.take(rec, &mut batch),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        ctl = Some(Ctl::Stop);
                        break;
                    }
                }
            }
            reported = self.report_drops(reported, &mut batch);
            if !batch.is_empty() {
                self.write(&mut batch);
                dirty = true;
                poll = MIN_POLL;
                if ctl.is_none() {
                    ctl = self.ctl.try_recv().ok();
                }
            } else if ctl.is_none() {
                // Nothing queued: sleep until a control message, the next look at the queue
                // or the flush deadline, whichever comes first.
                let mut wait = poll;
                if dirty {
                    let left = self
                        .opts
                        .flush_interval
                        .saturating_sub(last_flush.elapsed());
                    wait = wait.min(left);
                }
                ctl = match self.ctl.recv_timeout(wait) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => {
                        poll = (poll * 2).min(MAX_POLL);
                        None
                    }
                    Err(RecvTimeoutError::Disconnected) => Some(Ctl::Stop),
                };
            }
            match ctl {
                Some(Ctl::Flush(ack)) => {
                    self.drain(&mut batch, &mut reported);
                    self.flush(&mut dirty, &mut last_flush);
                    let _ = ack.send(());
                }
                Some(Ctl::Stop) => {
                    self.drain(&mut batch, &mut reported);
                    self.flush(&mut dirty, &mut last_flush);
                    if let Err(e) = self.core.sink.close() {
                        self.core.sink_failed(&e, 0);
                    }
                    let mut totals = self.core.counters.snapshot();
                    totals.dropped += self.dropped.load(Ordering::Relaxed);
                    crate::internal::retire(totals);
                    return;
                }
                Some(Ctl::Wake) => {
                    self.wake_pending.store(false, Ordering::Release);
                    poll = MIN_POLL;
                }
                None => {}
            }
            if dirty && (urgent || last_flush.elapsed() >= self.opts.flush_interval) {
                self.flush(&mut dirty, &mut last_flush);
            }
            if self.rx.is_empty() {
                self.prio.settle();
            } else if self.rx.len() >= self.opts.capacity / 2 {
                self.prio.boost();
            }
        }
    }

    /// Adds a record to the batch; true if it asks for an immediate flush.
    fn take(&self, rec: Record, batch: &mut Batch) -> bool {
        let critical = rec.level >= Level::Critical;
        let core = &self.core;
        let run = std::panic::AssertUnwindSafe(|| core.add_to_batch(rec, batch));
        if std::panic::catch_unwind(run).is_err() {
            core.sink_failed(
                &SinkError::new(SinkErrorKind::Other, "a filter or formatter panicked"),
                1,
            );
        }
        critical
    }

    fn write(&self, batch: &mut Batch) {
        let core = &self.core;
        let run = std::panic::AssertUnwindSafe(|| core.write_batch(batch));
        if std::panic::catch_unwind(run).is_err() {
            core.sink_failed(
                &SinkError::new(SinkErrorKind::Other, "the sink panicked"),
                batch.len() as u64,
            );
        }
        batch.clear_with(|mut rec| crate::pool::give(std::mem::take(&mut rec.fields)));
    }

    /// Writes everything queued now.
    fn drain(&self, batch: &mut Batch, reported: &mut u64) {
        while let Ok(rec) = self.rx.try_recv() {
            self.take(rec, batch);
            if batch.len() >= self.opts.batch {
                self.write(batch);
            }
        }
        *reported = self.report_drops(*reported, batch);
        self.write(batch);
    }

    fn flush(&self, dirty: &mut bool, last: &mut Instant) {
        let _ = self.core.flush_sink();
        *dirty = false;
        *last = Instant::now();
    }

    /// Adds a "N records dropped" notice when the drop count grew.
    fn report_drops(&self, reported: u64, batch: &mut Batch) -> u64 {
        let now = self.dropped.load(Ordering::Relaxed);
        if now > reported {
            let n = now - reported;
            let mut rec = Record::new(Level::Warning, "hwlog", format!("{n} records dropped"));
            rec.push_field("dropped", n);
            rec.push_field("route", self.core.name.clone());
            batch.push(rec, self.core.format.as_ref());
        }
        now
    }
}
