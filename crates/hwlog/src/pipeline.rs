//! A running pipeline: routes, each filters → formatter → sink. [`crate::build`] makes one
//! from an active profile ([`Pipeline::build`]).
use std::sync::Arc;

use hwlog_core::{Level, Record};

use crate::redact::Redactor;
use crate::stats::Counters;

pub use crate::route::{Route, RouteStatus};

/// Routes for one profile.
pub struct Pipeline {
    pub(crate) profile: String,
    pub(crate) routes: Vec<Route>,
    pub(crate) min_level: Level,
    /// The profile's redaction, also applied to what routes attached with
    /// [`add_handler`](crate::dispatch::add_handler) receive.
    pub(crate) redactor: Option<Arc<Redactor>>,
}

impl Pipeline {
    /// A pipeline from routes.
    pub fn new(profile: impl Into<String>, routes: Vec<Route>) -> Pipeline {
        let min_level = routes
            .iter()
            .map(|r| r.min_level)
            .min()
            .unwrap_or(Level::Critical);
        Pipeline {
            profile: profile.into(),
            routes,
            min_level,
            redactor: None,
        }
    }

    /// The redaction routes attached with `add_handler` get (the profile's).
    pub fn redactor(&self) -> Option<&Redactor> {
        self.redactor.as_deref()
    }

    /// The profile this pipeline was built from.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The lowest level any route considers.
    pub fn min_level(&self) -> Level {
        self.min_level
    }

    /// Sends a record to every route that considers its level.
    #[inline]
    pub fn dispatch(&self, rec: Record) {
        let level = rec.level;
        let last = self.routes.iter().rposition(|r| level >= r.min_level);
        let Some(last) = last else { return };
        for r in &self.routes[..last] {
            if level >= r.min_level {
                r.process(rec.clone());
            }
        }
        self.routes[last].process(rec);
    }

    /// Flushes every sink; returns the first error.
    pub fn flush(&self) -> Result<(), hwlog_core::SinkError> {
        let mut first = Ok(());
        for r in &self.routes {
            if let Err(e) = r.flush() {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }

    /// Route statuses.
    pub fn status(&self) -> Vec<RouteStatus> {
        self.routes.iter().map(Route::status).collect()
    }

    /// Sum of the route counters.
    pub fn totals(&self) -> Counters {
        let mut c = Counters::default();
        for r in &self.routes {
            c += r.counters();
        }
        c
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        // Non-blocking routes finish writing on their worker, which then adds its counts to the
        // process totals; `flush()` joins them. Synchronous routes are done now.
        for r in &self.routes {
            r.close();
            if !r.is_non_blocking() {
                crate::internal::retire(r.counters());
            }
        }
    }
}
