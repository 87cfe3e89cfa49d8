//! State the runtime's layers share without importing each other, so the module graph runs one
//! way (config → pipeline → dispatch → route → non-blocking worker → sinks) with this below all
//! of them:
//!
//! - which threads are hwlog's own or already inside a dispatch (their records are dropped and
//!   counted instead of recursing or queueing behind themselves);
//! - the counters of retired routes and pipelines (so totals survive reconfiguration);
//! - telling `log` and `tracing` that the enabled levels changed.
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use hwlog_core::Level;

use crate::stats::Counters;

thread_local! {
    static IN_DISPATCH: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current thread as hwlog's own (a route worker, a sink's thread): records it logs
/// are counted as dropped instead of being queued behind themselves.
pub(crate) fn mark_internal_thread() {
    let _ = IN_DISPATCH.try_with(|f| f.set(true));
}

/// Enters a dispatch on this thread; `false` if the thread is already inside one (or is
/// hwlog's own), in which case the caller must not dispatch.
#[inline]
pub(crate) fn enter_dispatch() -> bool {
    !IN_DISPATCH.try_with(|f| f.replace(true)).unwrap_or(true)
}

/// Leaves the dispatch [`enter_dispatch`] entered.
#[inline]
pub(crate) fn leave_dispatch() {
    let _ = IN_DISPATCH.try_with(|f| f.set(false));
}

static RETIRED: Mutex<Counters> = Mutex::new(Counters {
    emitted: 0,
    filtered: 0,
    dropped: 0,
    errors: 0,
});

/// Adds the counters of a route that is gone to the process totals.
pub(crate) fn retire(c: Counters) {
    if let Ok(mut r) = RETIRED.lock() {
        *r += c;
    }
}

/// The counters of every route that is gone.
pub(crate) fn retired() -> Counters {
    RETIRED.lock().map(|g| *g).unwrap_or_default()
}

/// Whether hwlog's `log` bridge is the process's logger (then `log::max_level` follows hwlog's).
static LOG_BRIDGED: AtomicBool = AtomicBool::new(false);

pub(crate) fn set_log_bridged(on: bool) {
    LOG_BRIDGED.store(on, Ordering::Relaxed);
}

pub(crate) fn log_bridged() -> bool {
    LOG_BRIDGED.load(Ordering::Relaxed)
}

/// `min`, the lowest enabled level, as a `log` filter.
pub(crate) fn to_log_filter(min: Option<Level>) -> log::LevelFilter {
    match min {
        None => log::LevelFilter::Off,
        Some(Level::Trace) => log::LevelFilter::Trace,
        Some(Level::Debug) => log::LevelFilter::Debug,
        Some(Level::Info) => log::LevelFilter::Info,
        Some(Level::Warning) => log::LevelFilter::Warn,
        Some(Level::Error) | Some(Level::Critical) => log::LevelFilter::Error,
    }
}

/// Tells `tracing` and `log` that the enabled levels changed (the lowest is now `min`).
pub(crate) fn levels_changed(min: Option<Level>) {
    if log_bridged() {
        log::set_max_level(to_log_filter(min));
    }
    tracing_core::callsite::rebuild_interest_cache();
}
