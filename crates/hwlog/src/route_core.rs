//! The working part of a route (filters → formatter → sink, with its counters), run by the
//! route on the caller's thread or by its non-blocking worker; below both, so neither imports
//! the other.
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use hwlog_core::{Batch, Decision, Filter, Format, Record, Sink, SinkError};

use crate::stats::RouteCounters;

/// The parts of a route that do the work; shared with its worker thread.
pub(crate) struct RouteCore {
    pub(crate) name: String,
    pub(crate) filters: Vec<Box<dyn Filter>>,
    pub(crate) format: Box<dyn Format>,
    pub(crate) sink: Arc<dyn Sink>,
    pub(crate) counters: RouteCounters,
    pub(crate) warned: AtomicBool,
    pub(crate) last_error: Mutex<Option<String>>,
}

thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(512));
}

impl RouteCore {
    pub(crate) fn sink_failed(&self, e: &SinkError, records: u64) {
        self.counters.errors.add(records);
        let msg = e.to_string();
        if !self.warned.swap(true, Ordering::Relaxed) {
            eprintln!(
                "hwlog: route {:?} ({}) failed: {msg}; counting failed records in logging_status()",
                self.name,
                self.sink.name()
            );
        }
        if let Ok(mut g) = self.last_error.lock() {
            *g = Some(msg);
        }
    }

    /// Runs the filters; `false` means rejected. Records the filters emit are appended to
    /// `emit` (they are written before `rec`).
    pub(crate) fn filter(&self, rec: &mut Record, emit: &mut Vec<Record>) -> bool {
        for f in &self.filters {
            match f.decide(rec, emit) {
                Decision::Reject => {
                    self.counters.filtered.add(1);
                    return false;
                }
                Decision::Accept => break,
                Decision::Neutral => {}
            }
        }
        true
    }

    fn write_one(&self, rec: &Record, buf: &mut Vec<u8>) {
        buf.clear();
        self.format.format(rec, buf);
        match self.sink.write(rec, buf) {
            Ok(()) => self.counters.emitted.add(1),
            Err(e) => self.sink_failed(&e, 1),
        }
    }

    /// Filters, formats and writes on the calling thread.
    pub(crate) fn process_sync(&self, mut rec: Record) {
        let mut emit = Vec::new();
        let pass = self.filter(&mut rec, &mut emit);
        for e in &emit {
            self.write_one(e, &mut Vec::new());
        }
        if !pass {
            return;
        }
        let done = BUF.try_with(|b| match b.try_borrow_mut() {
            Ok(mut buf) => {
                self.write_one(&rec, &mut buf);
                true
            }
            Err(_) => false,
        });
        if done != Ok(true) {
            self.write_one(&rec, &mut Vec::new());
        }
    }

    /// Filters `rec` and appends it (and anything the filters emit) to `batch`.
    pub(crate) fn add_to_batch(&self, mut rec: Record, batch: &mut Batch) {
        let mut emit = Vec::new();
        let pass = self.filter(&mut rec, &mut emit);
        for e in emit {
            batch.push(e, self.format.as_ref());
        }
        if pass {
            batch.push(rec, self.format.as_ref());
        }
    }

    /// Writes a batch with one sink call and counts the outcome.
    pub(crate) fn write_batch(&self, batch: &Batch) {
        if batch.is_empty() {
            return;
        }
        match self.sink.write_batch(batch) {
            Ok(()) => self.counters.emitted.add(batch.len() as u64),
            Err(e) => self.sink_failed(&e, batch.len() as u64),
        }
    }

    pub(crate) fn flush_sink(&self) -> Result<(), SinkError> {
        self.sink.flush().inspect_err(|e| self.sink_failed(e, 0))
    }
}
