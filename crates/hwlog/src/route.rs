//! A route: filters → formatter → sink, run on the caller's thread or, when non-blocking, on
//! the route's worker thread.
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use hwlog_core::{Filter, Format, Level, Record, Sink, SinkError, SinkErrorKind};

use crate::nonblocking::{NonBlockingOptions, Worker};
pub(crate) use crate::route_core::RouteCore;
use crate::stats::{Counters, RouteCounters};

/// One route of a running pipeline: filters → formatter → sink, synchronous or non-blocking.
pub struct Route {
    pub(crate) name: String,
    pub(crate) min_level: Level,
    pub(crate) core: Arc<RouteCore>,
    worker: Option<Worker>,
}

impl Route {
    /// A synchronous route: filters, formatter and sink run on the logging thread.
    pub fn new(
        name: impl Into<String>,
        min_level: Level,
        filters: Vec<Box<dyn Filter>>,
        format: Box<dyn Format>,
        sink: Arc<dyn Sink>,
    ) -> Route {
        let name = name.into();
        Route {
            name: name.clone(),
            min_level,
            core: Arc::new(RouteCore {
                name,
                filters,
                format,
                sink,
                counters: RouteCounters::default(),
                warned: AtomicBool::new(false),
                last_error: Mutex::new(None),
            }),
            worker: None,
        }
    }

    /// Makes the route non-blocking: the logging thread only enqueues; a worker thread runs
    /// the filters, formats and writes in batches.
    pub fn non_blocking(mut self, opts: NonBlockingOptions) -> Route {
        self.worker = Some(Worker::spawn(self.core.clone(), opts));
        self
    }

    /// Whether the route is non-blocking.
    pub fn is_non_blocking(&self) -> bool {
        self.worker.is_some()
    }

    /// Handles a record: enqueues it (non-blocking) or runs it through the route now. A
    /// panicking filter, formatter or sink never reaches the caller: the record is counted as
    /// an error of this route and the other routes still get it.
    #[inline]
    pub fn process(&self, rec: Record) {
        if let Some(w) = &self.worker {
            return w.enqueue(rec);
        }
        let run = std::panic::AssertUnwindSafe(|| self.core.process_sync(rec));
        if std::panic::catch_unwind(run).is_err() {
            self.core.sink_failed(
                &SinkError::new(SinkErrorKind::Other, "a filter, formatter or sink panicked"),
                1,
            );
        }
    }

    /// Writes everything enqueued so far and flushes the sink.
    pub fn flush(&self) -> Result<(), SinkError> {
        match &self.worker {
            Some(w) => w.flush(),
            None => self.core.flush_sink(),
        }
    }

    /// Reopens the sink's destination (log rotation by an outside tool).
    pub fn reopen(&self) -> Result<(), SinkError> {
        self.core.sink.reopen()
    }

    /// Stops the worker after it has written everything, then closes the sink.
    pub(crate) fn close(&self) {
        if let Some(w) = &self.worker {
            w.stop();
        } else if let Err(e) = self.core.sink.close() {
            self.core.sink_failed(&e, 0);
        }
    }

    /// A status line for this route.
    pub fn status(&self) -> RouteStatus {
        let c = &self.core;
        let mut counters = c.counters.snapshot();
        if let Some(w) = &self.worker {
            counters.dropped += w.dropped();
        }
        RouteStatus {
            name: self.name.clone(),
            min_level: self.min_level,
            sink: c.sink.name(),
            format: c.format.name().to_string(),
            filters: c.filters.iter().map(|f| f.describe()).collect(),
            counters,
            last_error: c.last_error.lock().ok().and_then(|g| g.clone()),
            non_blocking: self.worker.as_ref().map(|w| w.describe()),
        }
    }

    /// The route's counters.
    pub fn counters(&self) -> Counters {
        self.status().counters
    }
}

/// What a route is and what it has done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteStatus {
    /// Route name.
    pub name: String,
    /// Lowest level the route considers.
    pub min_level: Level,
    /// Sink description.
    pub sink: String,
    /// Formatter name.
    pub format: String,
    /// Filter descriptions, in order.
    pub filters: Vec<String>,
    /// Counts.
    pub counters: Counters,
    /// The last sink error, if any.
    pub last_error: Option<String>,
    /// Queue settings and fill level when the route is non-blocking.
    pub non_blocking: Option<String>,
}
