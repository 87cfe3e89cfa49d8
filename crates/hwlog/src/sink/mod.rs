//! Sinks, each a [`Sink`]: console, file (plain or gzip), rotating file (size/time,
//! compression, retention), metrics (Prometheus text), OTLP and remote (`http` feature: to
//! `hwlog serve` or a collector, with a disk spool), SQLite (`sqlite` feature), WebSocket live
//! stream (`websocket` feature), capture (for tests) and null. Non-blocking delivery is a
//! property of a route ([`crate::nonblocking`]), not a sink.
mod console;
mod file;
pub mod metrics;
pub mod otlp;
#[cfg(feature = "http")]
pub mod remote;
pub mod rotating;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "websocket")]
pub mod websocket;

pub use console::ConsoleSink;
pub use file::FileSink;
pub use hwlog_core::{Batch, Sink, SinkError, SinkErrorKind};

use hwlog_core::Record;

/// Discards records (for benchmarks and routes that only count).
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn name(&self) -> String {
        "null".into()
    }
    fn write(&self, _record: &Record, _line: &[u8]) -> Result<(), SinkError> {
        Ok(())
    }
    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Stands in for a sink that could not be created (a port in use, a cargo feature not built):
/// every write fails with the reason, so the route's error counter and `last_error` show it.
#[derive(Debug)]
pub struct UnavailableSink {
    name: String,
    reason: String,
}

impl UnavailableSink {
    /// A sink named `name` that fails with `reason`.
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        UnavailableSink {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

impl Sink for UnavailableSink {
    fn name(&self) -> String {
        format!("{} (unavailable)", self.name)
    }
    fn write(&self, _record: &Record, _line: &[u8]) -> Result<(), SinkError> {
        Err(SinkError::new(SinkErrorKind::Other, self.reason.clone()))
    }
    fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
}
