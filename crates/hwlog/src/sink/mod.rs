//! Sinks: console, file (plain or gzip), capture (for tests) and null. Later handlers
//! (non-blocking, rotating, SQLite, WebSocket) implement the same [`Sink`] trait.
mod console;
mod file;
pub mod metrics;

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
