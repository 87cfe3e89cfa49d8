//! Scheduling priority of hwlog's own threads (Linux; elsewhere these do nothing).
//!
//! The threads that log belong to the application, and hwlog's threads must take as little
//! from them as possible. With the kernel's usual 4 ms tick, a logging thread that a
//! normal-priority worker displaces from its CPU (the worker is woken on that CPU by the very
//! record the thread sends, or picked when the thread is briefly preempted) can wait a whole
//! tick: the 1–4 ms outliers `hwlog-bench rotation-latency` showed before this.
//!
//! - Compression runs under `SCHED_IDLE` for good: only on a CPU nothing else wants, and any
//!   thread that wakes up takes the CPU from it at once.
//! - A route worker runs under `SCHED_IDLE` while it keeps up ([`WorkerPriority`]). Whatever
//!   would then wait for it lifts it to `SCHED_BATCH` (the CPU share of a normal thread,
//!   without preempting the thread that wakes it) until its queue is empty again: a full
//!   queue, a CRITICAL record, a flush, the route's stop, or a queue half full after a batch.
//!   So an application that keeps every CPU busy never waits for an idle-priority worker.
//!   Leaving `SCHED_IDLE` needs `CAP_SYS_NICE` or an `RLIMIT_NICE` of 20; a process without
//!   either (checked once by a short-lived probe thread) runs its workers under `SCHED_BATCH`
//!   throughout.
//! - Callers do not wake a worker for an ordinary record at all (`crate::nonblocking` polls),
//!   so a worker is never made runnable on the caller's CPU by the caller itself.
//! - The compression thread pauses after every 32 KB it compresses, so its CPU goes idle and
//!   pulls a thread waiting in another CPU's run queue at once (see `rotating_retention`).
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Gives the calling thread the lowest CPU priority: `SCHED_IDLE`, or nice 19 where that is
/// refused.
pub(crate) fn lowest_priority() {
    if !set(0, Policy::Idle) {
        #[cfg(target_os = "linux")]
        // SAFETY: a plain syscall on the calling thread; failure is harmless.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        }
    }
}

/// The priority of one route worker (see the module documentation).
#[derive(Default)]
pub(crate) struct WorkerPriority {
    /// The worker's thread id; 0 before it starts and after it ends.
    tid: AtomicI32,
    /// Whether the worker may drop to `SCHED_IDLE` (it can come back).
    adaptive: AtomicBool,
    /// Whether the worker is lifted (or, when not adaptive, always).
    boosted: AtomicBool,
    /// Held while the policy and `boosted` change together.
    change: Mutex<()>,
    /// Times the worker was lifted.
    boosts: AtomicU64,
}

impl WorkerPriority {
    /// Called on the worker thread when it starts.
    pub(crate) fn start(&self) {
        let adaptive = can_leave_idle();
        self.adaptive.store(adaptive, Ordering::Relaxed);
        self.boosted.store(!adaptive, Ordering::Relaxed);
        set(
            0,
            if adaptive {
                Policy::Idle
            } else {
                Policy::Batch
            },
        );
        self.tid.store(current_tid(), Ordering::Release);
    }

    /// Called on the worker thread when it ends.
    pub(crate) fn end(&self) {
        self.tid.store(0, Ordering::Release);
    }

    /// Lifts the worker to normal CPU share until its queue is empty (any thread; cheap when
    /// it is lifted already).
    #[inline]
    pub(crate) fn boost(&self) {
        if !self.boosted.load(Ordering::Acquire) {
            self.change(true);
        }
    }

    /// Called by the worker when its queue is empty: back to `SCHED_IDLE` if it was lifted.
    pub(crate) fn settle(&self) {
        if self.adaptive.load(Ordering::Relaxed) && self.boosted.load(Ordering::Acquire) {
            self.change(false);
        }
    }

    #[cold]
    fn change(&self, boost: bool) {
        let _g = self.change.lock().unwrap_or_else(|p| p.into_inner());
        if self.boosted.load(Ordering::Acquire) == boost {
            return;
        }
        let done = if boost {
            let tid = self.tid.load(Ordering::Acquire);
            tid != 0 && set(tid, Policy::Batch)
        } else {
            set(0, Policy::Idle)
        };
        if done {
            self.boosted.store(boost, Ordering::Release);
            if boost {
                self.boosts.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// `idle`, `boosted` or `batch` (not adaptive), for the route's status line.
    pub(crate) fn state(&self) -> &'static str {
        match (
            self.adaptive.load(Ordering::Relaxed),
            self.boosted.load(Ordering::Relaxed),
        ) {
            (false, _) => "batch",
            (true, false) => "idle",
            (true, true) => "boosted",
        }
    }

    /// Times the worker was lifted from `SCHED_IDLE`.
    pub(crate) fn boosts(&self) -> u64 {
        self.boosts.load(Ordering::Relaxed)
    }
}

#[derive(Clone, Copy)]
enum Policy {
    Batch,
    Idle,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Other,
}

/// Sets the policy of thread `tid` (0: the calling thread); true if it was set.
fn set(tid: i32, policy: Policy) -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: a plain syscall with a valid, initialised sched_param; `tid` is 0 or a thread of
    // this process.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        let p = match policy {
            Policy::Batch => libc::SCHED_BATCH,
            Policy::Idle => libc::SCHED_IDLE,
            Policy::Other => libc::SCHED_OTHER,
        };
        libc::sched_setscheduler(tid, p, &param) == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (tid, policy);
        false
    }
}

fn current_tid() -> i32 {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe {
        libc::syscall(libc::SYS_gettid) as i32
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// Whether a thread of this process can go to `SCHED_IDLE` and back (probed once, on a
/// thread of its own).
fn can_leave_idle() -> bool {
    static CAN: OnceLock<bool> = OnceLock::new();
    *CAN.get_or_init(|| {
        std::thread::Builder::new()
            .name("hwlog-probe".into())
            .spawn(|| set(0, Policy::Idle) && set(0, Policy::Other))
            .ok()
            .and_then(|t| t.join().ok())
            .unwrap_or(false)
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn policy_of(tid: i32) -> i32 {
        // SAFETY: reads a thread's policy.
        unsafe { libc::sched_getscheduler(tid) }
    }

    #[test]
    fn compression_thread_is_idle() {
        let p = std::thread::spawn(|| {
            lowest_priority();
            policy_of(0)
        })
        .join()
        .unwrap();
        assert_eq!(p, libc::SCHED_IDLE);
    }

    #[test]
    fn worker_idles_is_lifted_and_settles() {
        let prio = std::sync::Arc::new(WorkerPriority::default());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let worker = {
            let prio = prio.clone();
            std::thread::spawn(move || {
                prio.start();
                let _ = rx.recv();
                prio.settle();
                let p = policy_of(0);
                let _ = rx.recv();
                prio.end();
                p
            })
        };
        while prio.tid.load(Ordering::Acquire) == 0 {
            std::thread::yield_now();
        }
        let tid = prio.tid.load(Ordering::Acquire);
        if !can_leave_idle() {
            assert_eq!(policy_of(tid), libc::SCHED_BATCH);
            assert_eq!(prio.state(), "batch");
            tx.send(()).unwrap();
            tx.send(()).unwrap();
            assert_eq!(worker.join().unwrap(), libc::SCHED_BATCH);
            return;
        }
        assert_eq!(policy_of(tid), libc::SCHED_IDLE);
        assert_eq!(prio.state(), "idle");
        prio.boost();
        assert_eq!(policy_of(tid), libc::SCHED_BATCH);
        assert_eq!(prio.state(), "boosted");
        prio.boost();
        assert_eq!(prio.boosts(), 1);
        tx.send(()).unwrap();
        tx.send(()).unwrap();
        assert_eq!(worker.join().unwrap(), libc::SCHED_IDLE);
        assert_eq!(prio.state(), "idle");
        // After the worker ended, a boost touches no thread.
        prio.boost();
    }
}
