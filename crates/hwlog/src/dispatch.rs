//! The process-wide pipeline: an atomically swappable `Arc<Pipeline>` plus a level gate.
//!
//! Logging loads the current pipeline (a lock-free `arc-swap` read) and runs the record
//! through it. Reconfiguration stores a new pipeline; a record is dispatched through exactly
//! one of the two, and the old one is flushed and closed once the last record using it is done.
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use hwlog_core::{Level, Record};

use crate::pipeline::{Pipeline, Route, RouteStatus};
use crate::stats::{Counter, Counters};
use hwlog_core::ComponentPattern;

static CURRENT: ArcSwapOption<Pipeline> = ArcSwapOption::const_empty();

/// Routes attached to components with [`add_handler`]; they survive reconfiguration.
static HANDLERS: ArcSwapOption<Vec<(ComponentPattern, Arc<Route>)>> = ArcSwapOption::const_empty();
/// Whether any handler is attached (skips loading `HANDLERS` on the hot path).
static HAS_HANDLERS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Levels below this are skipped before a record is built. 6 = nothing is enabled.
static MIN_LEVEL: AtomicU8 = AtomicU8::new(6);

static REENTRANT: std::sync::LazyLock<Counter> = std::sync::LazyLock::new(Counter::default);

/// Whether records at `level` can be written by the current pipeline.
#[inline(always)]
pub fn enabled(level: Level) -> bool {
    level as u8 >= MIN_LEVEL.load(Ordering::Relaxed)
}

/// The lowest enabled level, if any.
pub fn min_level() -> Option<Level> {
    Level::from_u8(MIN_LEVEL.load(Ordering::Relaxed))
}

/// Sends a record through the current pipeline. Records logged from inside the pipeline (a
/// sink or filter that logs) are dropped and counted instead of recursing.
#[inline]
pub fn dispatch(rec: Record) {
    if !crate::internal::enter_dispatch() {
        REENTRANT.add(1);
        return;
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            crate::internal::leave_dispatch();
        }
    }
    let _reset = Reset;
    let guard = CURRENT.load();
    if HAS_HANDLERS.load(Ordering::Relaxed) {
        let handlers = HANDLERS.load();
        if let Some(hs) = handlers.as_ref() {
            // Attached routes obey the profile's redaction like its own routes.
            let redactor = guard.as_ref().and_then(|p| p.redactor());
            let mut redacted: Option<Record> = None;
            for (g, r) in hs.iter() {
                if rec.level >= r.min_level && g.matches(&rec.component) {
                    match redactor {
                        None => r.process(rec.clone()),
                        Some(red) => r.process(
                            redacted
                                .get_or_insert_with(|| {
                                    let mut c = rec.clone();
                                    red.redact_record(&mut c);
                                    c
                                })
                                .clone(),
                        ),
                    }
                }
            }
        }
    }
    if let Some(p) = guard.as_ref() {
        if rec.level >= p.min_level() {
            p.dispatch(rec);
        }
    }
}

fn effective_min() -> u8 {
    let p = CURRENT.load().as_ref().map_or(6, |p| p.min_level() as u8);
    let h = HANDLERS
        .load()
        .as_ref()
        .and_then(|hs| hs.iter().map(|(_, r)| r.min_level as u8).min())
        .unwrap_or(6);
    p.min(h)
}

/// Attaches a route to a component (a [`ComponentPattern`]: `custom` also covers `custom.db`): its records
/// go to this route in addition to the profile's routes, across reconfigurations. This is the
/// design's "direct component usage" (`logger.addHandler(handler)`).
pub fn add_handler(component: &str, route: Route) {
    let mut v: Vec<(ComponentPattern, Arc<Route>)> = HANDLERS
        .load()
        .as_ref()
        .map(|h| h.to_vec())
        .unwrap_or_default();
    v.push((ComponentPattern::new(component), Arc::new(route)));
    HANDLERS.store(Some(Arc::new(v)));
    HAS_HANDLERS.store(true, Ordering::Relaxed);
    MIN_LEVEL.store(effective_min(), Ordering::Relaxed);
    crate::internal::levels_changed(min_level());
}

/// Detaches every route added with [`add_handler`]; they are flushed and closed.
pub fn clear_handlers() {
    let old = HANDLERS.swap(None);
    HAS_HANDLERS.store(false, Ordering::Relaxed);
    MIN_LEVEL.store(effective_min(), Ordering::Relaxed);
    crate::internal::levels_changed(min_level());
    if let Some(old) = old {
        for (_, r) in old.iter() {
            r.close();
            if !r.is_non_blocking() {
                crate::internal::retire(r.counters());
            }
        }
    }
}

/// Status of the attached handlers, as `(component pattern, route)`.
pub fn handler_status() -> Vec<(String, RouteStatus)> {
    HANDLERS
        .load()
        .as_ref()
        .map(|hs| {
            hs.iter()
                .map(|(g, r)| (g.as_str().to_string(), r.status()))
                .collect()
        })
        .unwrap_or_default()
}

/// Flushes the attached handlers.
pub(crate) fn flush_handlers() -> Result<(), hwlog_core::SinkError> {
    if let Some(hs) = HANDLERS.load().as_ref() {
        for (_, r) in hs.iter() {
            r.flush()?;
        }
    }
    Ok(())
}

/// Installs `p` and returns the previous pipeline (flushed and closed when its last user is
/// done).
pub fn install(p: Pipeline) -> Option<Arc<Pipeline>> {
    let old = CURRENT.swap(Some(Arc::new(p)));
    MIN_LEVEL.store(effective_min(), Ordering::Relaxed);
    crate::internal::levels_changed(min_level());
    old
}

/// Removes the pipeline (logging becomes a no-op); returns it.
pub fn uninstall() -> Option<Arc<Pipeline>> {
    let old = CURRENT.swap(None);
    MIN_LEVEL.store(effective_min(), Ordering::Relaxed);
    crate::internal::levels_changed(min_level());
    old
}

/// The current pipeline.
pub fn current() -> Option<Arc<Pipeline>> {
    CURRENT.load_full()
}

/// Totals over all pipelines this process has run, including re-entrant drops.
pub fn totals() -> Counters {
    let mut t = crate::internal::retired();
    if let Some(p) = CURRENT.load().as_ref() {
        t += p.totals();
    }
    if let Some(hs) = HANDLERS.load().as_ref() {
        for (_, r) in hs.iter() {
            t += r.counters();
        }
    }
    t.dropped += REENTRANT.get();
    t
}

/// Reopens the sinks of the current pipeline and of attached handlers; returns the first error.
pub fn reopen_all() -> Result<(), hwlog_core::SinkError> {
    let mut first = Ok(());
    let mut note = |r: Result<(), hwlog_core::SinkError>| {
        if let (Err(e), true) = (r, first.is_ok()) {
            first = Err(e);
        }
    };
    if let Some(p) = CURRENT.load().as_ref() {
        for r in &p.routes {
            note(r.reopen());
        }
    }
    if let Some(hs) = HANDLERS.load().as_ref() {
        for (_, r) in hs.iter() {
            note(r.reopen());
        }
    }
    first
}
