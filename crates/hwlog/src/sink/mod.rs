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

pub use console::{ColorMode, ConsoleSink, Stream};
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
